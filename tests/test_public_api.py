"""The public surface is what we mean it to be: every exported name exists, is documented, and
nothing private leaks into ``__all__``."""

import importlib
import inspect
import subprocess
import sys

import pytest

import equipoise

PUBLIC = {
    "equipoise": {
        "ClassProfile",
        "profile",
        "__version__",
        "compare",
        "imbalance_report",
        "class_weights",
        "load_dataset",
        "load_example",
        "make_resampler",
        "make_loss",
        "make_sampler",
    },
    "equipoise.resample": {
        "ADASYN",
        "AllKNN",
        "BaseResampler",
        "BorderlineSMOTE",
        "ClusterCentroids",
        "CondensedNearestNeighbour",
        "EditedNearestNeighbours",
        "InstanceHardnessThreshold",
        "KMeansSMOTE",
        "MLROS",
        "MLRUS",
        "MLSMOTE",
        "NearMiss",
        "NeighbourhoodCleaningRule",
        "OneSidedSelection",
        "RESAMPLERS",
        "REMEDIAL",
        "RandomOverSampler",
        "RandomUnderSampler",
        "RepeatedEditedNearestNeighbours",
        "SMOTE",
        "SMOTEENN",
        "SMOTEN",
        "SMOTENC",
        "SMOTETomek",
        "SVMSMOTE",
        "TomekLinks",
        "make_resampler",
        "resolve_sampling_strategy",
        "SMOTER",
        "SMOGN",
        "RandomOverSamplerRegression",
        "RandomUnderSamplerRegression",
        "box_plot_control_points",
        "relevance_function",
    },
    "equipoise.losses": {
        "MULTILABEL_LOSSES",
        "AsymmetricLoss",
        "ClassBalancedBCELoss",
        "DistributionBalancedLoss",
        "asymmetric_loss",
        "class_balanced_bce_loss",
        "distribution_balanced_loss",
        "BalancedSoftmaxLoss",
        "BinaryFocalLoss",
        "ClassBalancedLoss",
        "CrossEntropyLoss",
        "DeferredReweighting",
        "FocalLoss",
        "LDAMLoss",
        "LOSSES",
        "LogitAdjustedLoss",
        "NormedLinear",
        "functional",
        "ldam_margins",
        "make_loss",
        "set_value_checks",
        "BMCLoss",
        "GAILoss",
        "WeightedMSELoss",
        "WeightedL1Loss",
        "WeightedHuberLoss",
        "FeatureDistributionSmoothing",
    },
    "equipoise.samplers": {
        "BalancedBatchSampler",
        "ClassBalancedSampler",
        "DistributedClassBalancedSampler",
        "DistributedBalancedBatchSampler",
        "MultiLabelBalancedSampler",
        "ProgressiveSampler",
        "SAMPLERS",
        "dataloader_kwargs",
        "instance_balanced_sampler",
        "make_sampler",
        "square_root_sampler",
    },
    "equipoise.weights": {
        "WEIGHT_SCHEMES",
        "WeightScheme",
        "class_weights",
        "resolve_counts",
        "sample_weights",
        "lds_weights",
        "lds_density",
        "lds_kernel_window",
        "dense_weights",
        "kde_density",
    },
    "equipoise.posthoc": {
        "LabelThresholdTuner",
        "tune_label_thresholds",
        "ThresholdTuner",
        "init_output_bias",
        "logit_adjust",
        "tau_normalize",
        "tau_normalize_",
    },
    "equipoise.decoupled": {"CRT_MIN_STEPS", "TauSearchResult", "retrain_classifier", "tune_tau"},
    "equipoise.online": {
        "BatchedTensorDataset",
        "EpochSampler",
        "ONLINE_RESAMPLERS",
        "ResampledDataset",
    },
    "equipoise.training_metrics": {
        "BalancedAccuracy",
        "ConfusionMatrix",
        "ManyMediumFewAccuracy",
        "PerClassRecall",
    },
    "equipoise.metrics": {
        "ConfidenceInterval",
        "ImbalanceReport",
        "METRICS",
        "Metric",
        "PairedComparison",
        "bootstrap_ci",
        "get_metric",
        "imbalance_report",
        "mean_ci",
        "paired_difference",
        "get_scorer",
        "sensitivity_specificity_support",
        "sensitivity_score",
        "specificity_score",
        "geometric_mean_score",
        "make_index_balanced_accuracy",
        "classification_report_imbalanced",
        "macro_averaged_mean_absolute_error",
        "CALIBRATION_METRICS",
        "DEFAULT_N_BINS",
        "brier_score",
        "log_loss",
        "expected_calibration_error",
        "classwise_ece",
        "calibration_bins",
        "metric_label",
        "greater_is_better",
        "MultiLabelReport",
        "multilabel_report",
        "label_groups",
        "REGRESSION_METRICS",
        "RegressionReport",
        "regression_report",
        "mean_absolute_error",
        "root_mean_squared_error",
        "geometric_mean_absolute_error",
        "error_by_range_plot",
    },
    "equipoise.calibration": {
        "BiasCorrectedTemperatureScaling",
        "EMPriorResult",
        "PriorCorrection",
        "PriorShiftAdapter",
        "RebalancedClassifier",
        "TemperatureScaling",
        "check_prior",
        "correct_logits",
        "correct_proba",
        "correct_undersampling",
        "estimate_prior_em",
        "induced_prior",
        "prior_from_class_weights",
        "prior_from_counts",
        "reliability_diagram",
    },
    "equipoise.neighbors": {"choose_method", "kneighbors"},
    "equipoise.datasets": {
        "DATASETS",
        "DatasetInfo",
        "KeelAttribute",
        "KeelData",
        "LongTailedSplit",
        "columns_with_nan",
        "dataset_info",
        "list_datasets",
        "load_dataset",
        "load_example",
        "load_table",
        "long_tail_counts",
        "make_imbalance",
        "make_long_tailed",
        "make_long_tailed_regression",
        "parse_keel",
        "read_keel",
    },
    "equipoise.compare": {
        "ComparisonResult",
        "DECISIONS",
        "DEFAULT_RECIPES",
        "HEADS",
        "Journal",
        "MODELS",
        "RECIPES",
        "REFERENCE_RECIPES",
        "Recipe",
        "RunRecord",
        "SCHEDULES",
        "TrainSettings",
        "compare",
        "corrected_resampled_ttest",
        "get_recipe",
        "holm",
        "load_recipes_toml",
        "register_recipe",
        "shot_groups",
    },
    "equipoise.dask": {"RandomOverSampler", "RandomUnderSampler", "SMOTE"},
    "equipoise.ensemble": {
        "BalancedBaggingClassifier",
        "BalancedRandomForestClassifier",
        "EasyEnsembleClassifier",
        "RUSBoostClassifier",
    },
    "equipoise.pipeline": {"FunctionSampler", "Pipeline", "make_pipeline"},
    "equipoise.registry": {"Registry"},
    "equipoise.exceptions": {
        "EquipoiseError",
        "InvalidInputError",
        "InvalidParameterError",
        "MissingDependencyError",
        "NotFittedError",
        "UnknownNameError",
    },
}


INTEGRATIONS = {
    "equipoise.integrations.lightning": (
        "lightning",
        {"DeferredReweightingCallback", "ResampleEveryEpoch"},
    ),
    "equipoise.integrations.transformers": ("transformers", {"ImbalancedTrainer", "train_labels"}),
    "equipoise.integrations.skorch": (
        "skorch",
        {"ImbalancedNeuralNetClassifier", "predict_nonlinearity"},
    ),
}


@pytest.mark.parametrize("module_name", sorted(INTEGRATIONS))
def test_integrations_surface(module_name):
    # read from the source: importing transformers or lightning here would cost seconds each
    import ast
    from pathlib import Path

    _, names = INTEGRATIONS[module_name]
    path = Path(equipoise.__file__).parent / "integrations" / f"{module_name.rsplit('.', 1)[1]}.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    exported = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(getattr(t, "id", None) == "__all__" for t in node.targets)
    )
    assert set(exported) == names
    defined = {
        node.name: node for node in tree.body if isinstance(node, (ast.ClassDef, ast.FunctionDef))
    }
    for name in names:
        assert len(ast.get_docstring(defined[name]) or "") > 40, f"{module_name}.{name}"


def test_a_missing_extra_names_the_pip_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_skorch(name, *args, **kwargs):
        if name == "skorch" or name.startswith("skorch."):
            raise ImportError("No module named 'skorch'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_skorch)
    monkeypatch.delitem(sys.modules, "equipoise.integrations.skorch", raising=False)
    for name in [m for m in sys.modules if m == "skorch" or m.startswith("skorch.")]:
        monkeypatch.delitem(sys.modules, name)
    with pytest.raises(ImportError, match=r"pip install 'equipoise\[skorch\]'"):
        importlib.import_module("equipoise.integrations.skorch")


def test_library_never_imports_integrations():
    # integrations import the library, never the other way round (DESIGN.md)
    import ast
    from pathlib import Path

    root = Path(equipoise.__file__).parent
    for path in root.rglob("*.py"):
        if "integrations" in path.relative_to(root).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert name.split(".")[0] not in (
                    "lightning",
                    "pytorch_lightning",
                    "transformers",
                    "skorch",
                ), path
                assert "integrations" not in name, path


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
            assert "Parameters" in doc or "Returns" in doc or "Examples" in doc, (
                f"{module_name}.{name}"
            )


def test_top_level_import_is_light():
    code = "import sys, equipoise; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert equipoise.load_example is importlib.import_module("equipoise.datasets").load_example
    with pytest.raises(AttributeError):
        equipoise.not_a_name  # noqa: B018


def test_every_resampler_carries_auxiliary_arrays():
    from equipoise.resample import RESAMPLERS, BaseResampler

    for _, cls in RESAMPLERS.items():
        assert cls.resample_like is BaseResampler.resample_like, cls
    doc = inspect.getdoc(BaseResampler.resample_like)
    assert "Parameters" in doc and "'interpolate'" in doc
