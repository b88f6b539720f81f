import pytest

from equipoise.exceptions import UnknownNameError
from equipoise.registry import Registry


def test_register_get_and_iterate():
    reg: Registry = Registry("widget")

    @reg.register("round")
    class Round:
        pass

    reg.register("square", object())
    assert reg.get("round") is Round
    assert reg["round"] is Round
    assert reg.names() == ["round", "square"]
    assert list(reg) == ["round", "square"]
    assert "round" in reg and "oval" not in reg
    assert len(reg) == 2


def test_unknown_name_lists_choices_and_suggests():
    reg: Registry = Registry("resampler")
    reg.register("smote", object())
    reg.register("random-over", object())
    with pytest.raises(UnknownNameError) as info:
        reg.get("smot")
    message = str(info.value)
    assert message.startswith("unknown resampler 'smot'; expected one of ['random-over', 'smote']")
    assert "Did you mean 'smote'?" in message
    assert isinstance(info.value, KeyError)


def test_duplicate_name_needs_replace():
    reg: Registry = Registry("loss")
    reg.register("focal", 1)
    with pytest.raises(ValueError, match="already registered"):
        reg.register("focal", 2)
    reg.register("focal", 2, replace=True)
    assert reg.get("focal") == 2
    reg.unregister("focal")
    assert "focal" not in reg
