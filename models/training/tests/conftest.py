"""Shared test setup: import path, one thread (deterministic, and pytest stays polite on 2 cores), data root."""
import os
import sys
from pathlib import Path

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pytest  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)

from umeml.data import default_data_root, load_tcga  # noqa: E402


@pytest.fixture(scope="session")
def data_root() -> Path:
    root = default_data_root()
    if not (root / "tcga" / "all_dataset.csv").exists():
        pytest.fail(f"test data missing: {root}/tcga (expected ../shared/data beside the repository, "
                    "or set GLIOFUSE_SHARED_DATA)")
    return root


@pytest.fixture(scope="session")
def cohort(data_root):
    return load_tcga(data_root)
