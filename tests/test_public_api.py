"""The public surface is what we mean it to be: every exported name exists, is documented, and
nothing private leaks into ``__all__``."""

import importlib
import inspect
import subprocess
import sys

import pytest

import equipoise

PUBLIC = {
    "equipoise": {"ClassProfile", "profile", "__version__", "compare", "imbalance_report", "class_weights",
                  "load_dataset", "load_example", "make_resampler", "make_loss", "make_sampler"},
    "equipoise.resample": {"ADASYN", "AllKNN", "BaseResampler", "BorderlineSMOTE", "ClusterCentroids",
                           "CondensedNearestNeighbour", "EditedNearestNeighbours", "InstanceHardnessThreshold",
                           "KMeansSMOTE", "NearMiss", "NeighbourhoodCleaningRule", "OneSidedSelection", "RESAMPLERS",
                           "RandomOverSampler", "RandomUnderSampler", "RepeatedEditedNearestNeighbours", "SMOTE",
                           "SMOTEENN", "SMOTEN", "SMOTENC", "SMOTETomek", "SVMSMOTE", "TomekLinks", "make_resampler",
                           "resolve_sampling_strategy"},
    "equipoise.losses": {"BalancedSoftmaxLoss", "BinaryFocalLoss", "ClassBalancedLoss", "CrossEntropyLoss",
                         "DeferredReweighting", "FocalLoss", "LDAMLoss", "LOSSES", "LogitAdjustedLoss",
                         "NormedLinear", "functional", "ldam_margins", "make_loss"},
    "equipoise.samplers": {"BalancedBatchSampler", "ClassBalancedSampler", "DistributedClassBalancedSampler",
                           "ProgressiveSampler", "SAMPLERS", "dataloader_kwargs", "instance_balanced_sampler",
                           "make_sampler", "square_root_sampler"},
    "equipoise.weights": {"WEIGHT_SCHEMES", "WeightScheme", "class_weights", "resolve_counts", "sample_weights"},
    "equipoise.posthoc": {"ThresholdTuner", "init_output_bias", "logit_adjust", "tau_normalize", "tau_normalize_"},
    "equipoise.decoupled": {"TauSearchResult", "retrain_classifier", "tune_tau"},
    "equipoise.online": {"ONLINE_RESAMPLERS", "ResampledDataset"},
    "equipoise.metrics": {"ConfidenceInterval", "ImbalanceReport", "METRICS", "Metric", "PairedComparison",
                          "bootstrap_ci", "get_metric", "imbalance_report", "mean_ci", "paired_difference"},
    "equipoise.neighbors": {"HIGH_DIM_THRESHOLD", "kneighbors"},
    "equipoise.datasets": {"DATASETS", "DatasetInfo", "KeelAttribute", "KeelData", "LongTailedSplit",
                           "columns_with_nan", "dataset_info", "list_datasets", "load_dataset", "load_example",
                           "load_table", "long_tail_counts", "make_long_tailed", "parse_keel", "read_keel"},
    "equipoise.compare": {"ComparisonResult", "DEFAULT_RECIPES", "Journal", "RECIPES", "Recipe", "RunRecord",
                          "TrainSettings", "compare", "get_recipe", "load_recipes_toml", "register_recipe"},
    "equipoise.dask": {"RandomOverSampler", "RandomUnderSampler", "SMOTE"},
    "equipoise.registry": {"Registry"},
    "equipoise.exceptions": {"EquipoiseError", "InvalidInputError", "InvalidParameterError", "NotFittedError",
                             "UnknownNameError"},
}


@pytest.mark.parametrize("module_name", sorted(PUBLIC))
def test_all_is_the_intended_surface(module_name):
    module = importlib.import_module(module_name)
    assert set(module.__all__) == PUBLIC[module_name]
    for name in module.__all__:
        assert getattr(module, name) is not None


@pytest.mark.parametrize("module_name", sorted(PUBLIC))
def test_public_callables_have_numpydoc_docstrings(module_name):
    module = importlib.import_module(module_name)
    for name in module.__all__:
        obj = getattr(module, name)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        doc = inspect.getdoc(obj) or ""
        assert len(doc) > 40, f"{module_name}.{name} needs a docstring"
        if inspect.isfunction(obj) and len(inspect.signature(obj).parameters) > 0:
            assert "Parameters" in doc or "Returns" in doc or "Examples" in doc, f"{module_name}.{name}"


def test_top_level_import_is_light():
    code = "import sys, equipoise; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert equipoise.load_example is importlib.import_module("equipoise.datasets").load_example
    with pytest.raises(AttributeError):
        equipoise.not_a_name  # noqa: B018
