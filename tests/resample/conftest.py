"""One BLAS/OpenMP thread for the resampler tests.

The test machine has 2 cores shared by several test runs; the OpenMP pools of scikit-learn's
neighbour searches and k-means then spend most of their time waiting for each other (k-means
took 10x longer with 2 threads than with 1 under a load average of 7). Results do not depend
on the thread count, so the resampler tests run with one.
"""

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    with threadpool_limits(1):
        yield
