"""How fast does the course library train, next to the machine and PyTorch?

    python benchmarks/training.py            # the full run (a few minutes at most)
    python benchmarks/training.py --quick    # a rough smoke run (seconds)

Three trainings on fixed-seed float32 data, each timed as the median of
several runs after one warm-up run:

  (a) 1119 x 11 inputs, an 11-512-512-512-1 relu network, MAE, Adam, batch 256,
      10 epochs: big matrix products, so the machine's GEMM speed is the limit.
  (b) 360 x 64 inputs, a 64-25-15-1 sigmoid network, binary cross-entropy, Adam,
      batch 32, 100 epochs: tiny matrices, so per-step overhead is the limit.
  (c) logistic regression on 360 x 64, full-batch gradient descent (SGD with one
      batch of all 360 examples), 1000 steps: overhead again.

For each it prints seconds, samples per second, and the GFLOP/s achieved by
the matrix products of training (forward, kernel gradients, input gradients
below the first layer) next to the GFLOP/s numpy's own matmul reaches on
exactly those shapes on this machine. Where PyTorch is installed the same
trainings run in PyTorch (same threads, float32, same architecture, loss and
optimizer) and the ratio is printed. The peak memory of (a) is measured in a
fresh process. Finally it says which of the project's speed targets are met.
"""

import argparse
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

import numpy as np

SEED = 0


@dataclass(frozen=True)
class Case:
    key: str
    title: str
    n: int                 # examples
    inputs: int            # features
    units: tuple           # layer widths, the last one the output
    activation: str        # hidden activation
    output: str            # output activation
    loss: str              # "mae" or "binary_crossentropy"
    optimizer: str         # "adam" or "sgd"
    learning_rate: float
    batch_size: int
    epochs: int
    shuffle: bool = True

    @property
    def sizes(self):
        return (self.inputs,) + self.units

    def matmul_flops(self):
        """Multiply-adds x 2 of one epoch: forward, kernel gradient, input gradient
        (skipped for the first layer, whose input is the data)."""
        flops = 0
        for i, (d, u) in enumerate(zip(self.sizes[:-1], self.sizes[1:])):
            products = 2 if i == 0 else 3
            flops += products * 2 * self.n * d * u
        return flops


CASES = [
    Case("a", "11-512-512-512-1 relu, MAE, Adam, batch 256", 1119, 11, (512, 512, 512, 1),
         "relu", "linear", "mae", "adam", 0.001, 256, 10),
    Case("b", "64-25-15-1 sigmoid, cross-entropy, Adam, batch 32", 360, 64, (25, 15, 1),
         "sigmoid", "sigmoid", "binary_crossentropy", "adam", 0.001, 32, 100),
    Case("c", "logistic regression, full-batch gradient descent", 360, 64, (1,),
         "sigmoid", "sigmoid", "binary_crossentropy", "sgd", 0.1, 360, 1000, shuffle=False),
]


def quick_version(case):
    """The same case with a tenth of the epochs (at least 2), for --quick."""
    return Case(**{**case.__dict__, "epochs": max(2, case.epochs // 10)})


def make_data(case):
    """Fixed-seed float32 data: a smooth regression target for MAE, a linear rule
    with some label noise for cross-entropy."""
    rng = np.random.default_rng(SEED)
    x = rng.standard_normal((case.n, case.inputs)).astype(np.float32)
    w = rng.standard_normal((case.inputs, 1))
    if case.loss == "mae":
        y = np.sin(x @ w) + 0.1 * (x**2).sum(axis=1, keepdims=True)
    else:
        y = ((x @ w + 0.5 * rng.standard_normal((case.n, 1))) > 0).astype(float)
    return x, y.astype(np.float32)


def blas_threads():
    """How many threads numpy's BLAS uses (PyTorch is given as many)."""
    try:
        from threadpoolctl import threadpool_info
        counts = [info["num_threads"] for info in threadpool_info()
                  if info.get("user_api") == "blas"]
        if counts:
            return counts[0]
    except ImportError:
        pass
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(name, "").isdigit():
            return int(os.environ[name])
    return os.cpu_count() or 1


def timed_runs(contenders, runs):
    """Wall times of every run and final loss of each contender, after a warm-up run each.

    contenders: {name: prepare}; prepare() builds a fresh model and returns a
    function doing the timed work, which returns the final training loss.
    The contenders take turns within every run, so a change in the load of
    the machine slows them alike instead of favouring one of them; `ratio`
    compares them run by run for the same reason.
    Returns {name: (list of seconds, one per run, final loss)}.
    """
    for prepare in contenders.values():
        prepare()()
    times = {name: [] for name in contenders}
    losses = {}
    for _ in range(runs):
        for name, prepare in contenders.items():
            work = prepare()
            start = time.perf_counter()
            losses[name] = work()
            times[name].append(time.perf_counter() - start)
    return {name: (times[name], losses[name]) for name in contenders}


def ratio(slower, faster):
    """The median over runs of slower_i / faster_i: how many times faster `faster` is.

    Paired run by run, so that a slow moment of the machine, which slows
    both runs of a pair, cancels out of the ratio."""
    return statistics.median(s / f for s, f in zip(slower, faster))


# ---------------------------------------------------------------- the course library

def course_training(case, x, y):
    import course
    from course import optimizers

    def prepare():
        course.set_random_seed(SEED)
        layers = [course.Dense(case.units[0], activation=_activation(case, 0),
                               input_shape=(case.inputs,))]
        layers += [course.Dense(u, activation=_activation(case, i))
                   for i, u in enumerate(case.units[1:], start=1)]
        model = course.Sequential(layers)
        optimizer = (optimizers.Adam(learning_rate=case.learning_rate) if case.optimizer == "adam"
                     else optimizers.SGD(learning_rate=case.learning_rate))
        model.compile(optimizer=optimizer, loss=case.loss)

        def work():
            history = model.fit(x, y, batch_size=case.batch_size, epochs=case.epochs,
                                shuffle=case.shuffle, verbose=0)
            return history.history["loss"][-1]
        return work
    return prepare


def _activation(case, layer_index):
    return case.output if layer_index == len(case.units) - 1 else case.activation


# ---------------------------------------------------------------- PyTorch

def torch_training(case, x, y, threads):
    import torch
    torch.set_num_threads(threads)
    x_t, y_t = torch.from_numpy(x), torch.from_numpy(y)
    activation = {"relu": torch.nn.ReLU, "sigmoid": torch.nn.Sigmoid}
    loss_fn = torch.nn.L1Loss() if case.loss == "mae" else torch.nn.BCELoss()

    def prepare():
        torch.manual_seed(SEED)
        modules = []
        for i, (d, u) in enumerate(zip(case.sizes[:-1], case.sizes[1:])):
            modules.append(torch.nn.Linear(d, u))
            name = _activation(case, i)
            if name != "linear":
                modules.append(activation[name]())
        model = torch.nn.Sequential(*modules)
        if case.optimizer == "adam":   # Keras's epsilon, as in the course library
            optimizer = torch.optim.Adam(model.parameters(), lr=case.learning_rate, eps=1e-7)
        else:
            optimizer = torch.optim.SGD(model.parameters(), lr=case.learning_rate)

        def work():
            n = len(x_t)
            for _ in range(case.epochs):
                order = torch.randperm(n) if case.shuffle else None
                total = 0.0
                for start in range(0, n, case.batch_size):
                    if order is None:
                        xb, yb = x_t[start:start + case.batch_size], y_t[start:start + case.batch_size]
                    else:
                        index = order[start:start + case.batch_size]
                        xb, yb = x_t[index], y_t[index]
                    optimizer.zero_grad(set_to_none=True)
                    loss = loss_fn(model(xb), yb)
                    loss.backward()
                    optimizer.step()
                    total += loss.item() * len(xb)
            return total / n
        return work
    return prepare


# ---------------------------------------------------------------- the machine

def gemm_training(case):
    """The matrix products alone, as a contender: numpy's matmul on the same shapes.

    For every batch and layer: x @ kernel (batch, d) x (d, u), x.T @ grad_z
    (d, batch) x (batch, u), and, below the first layer, grad_z @ kernel.T
    (batch, u) x (u, d), written into preallocated outputs so that only the
    products are timed, for as many epochs as the training."""
    rng = np.random.default_rng(SEED)
    batches = [min(case.batch_size, case.n - start) for start in range(0, case.n, case.batch_size)]
    products = []
    for i, (d, u) in enumerate(zip(case.sizes[:-1], case.sizes[1:])):
        kernel = rng.standard_normal((d, u)).astype(np.float32)
        for b in sorted(set(batches)):
            x = rng.standard_normal((b, d)).astype(np.float32)
            grad_z = rng.standard_normal((b, u)).astype(np.float32)
            count = batches.count(b)
            products.append((x, kernel, np.empty((b, u), np.float32), count))
            products.append((x.T, grad_z, np.empty((d, u), np.float32), count))
            if i > 0:
                products.append((grad_z, kernel.T, np.empty((b, d), np.float32), count))

    def prepare():
        def work():
            for _ in range(case.epochs):
                for a, b, out, count in products:
                    for _ in range(count):
                        np.matmul(a, b, out=out)
            return math.nan
        return work
    return prepare


def compiled_loops(numpy_only):
    """Whether the course library runs its compiled loops (Adam, relu layers) here."""
    from course import _compiled
    if numpy_only:
        return "numpy only (--numpy-only)."
    built = [name for name, loop in (("Adam", _compiled.adam_loop),
                                     ("relu layers", _compiled.add_bias_relu)) if loop]
    if not built:
        return "numpy only: the compiled loops were not built at install."
    return f"Compiled loops: {' and '.join(built)}."


def peak_memory_mb(case_key, quick, numpy_only):
    """Peak resident memory (MB) of a fresh process that trains case (a) once:
    after its imports, and at the end. Read from /proc (VmHWM), which starts
    afresh in the new program, unlike getrusage's maxrss, which Linux carries
    over from the parent process that started it."""
    command = ([sys.executable, __file__, "--measure-memory", case_key]
               + (["--quick"] if quick else []) + (["--numpy-only"] if numpy_only else []))
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    baseline, peak = (float(v) for v in result.stdout.split())
    return baseline, peak


def _peak_rss_mb():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    scale = 1 if sys.platform == "darwin" else 1024          # bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def measure_memory(case):
    import course
    course.Sequential, course.Dense  # load the library's modules before the baseline
    x, y = make_data(case)
    baseline = _peak_rss_mb()
    course_training(case, x, y)()()
    print(baseline, _peak_rss_mb())


# ---------------------------------------------------------------- report

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a tenth of the epochs and one timed run: a smoke test, rough figures")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per training (default 5)")
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch comparison")
    parser.add_argument("--cases", default="abc",
                        help="which trainings to run, e.g. --cases a (default: abc)")
    parser.add_argument("--numpy-only", action="store_true",
                        help="numpy only: not the compiled loops for Adam and relu layers")
    parser.add_argument("--measure-memory", metavar="CASE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.numpy_only:
        from course import _compiled
        _compiled.ENABLED = False

    cases = [quick_version(c) for c in CASES] if args.quick else CASES
    unknown = set(args.cases) - {c.key for c in CASES}
    if unknown:
        parser.error(f"unknown case(s) {', '.join(sorted(unknown))}; choose from a, b, c")
    if args.measure_memory:
        measure_memory(next(c for c in cases if c.key == args.measure_memory))
        return 0
    runs = args.runs or (1 if args.quick else 5)
    threads = blas_threads()
    torch = None
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            print("PyTorch is not installed: timing the course library only.")

    print(f"Python {platform.python_version()}, numpy {np.__version__}"
          + (f", torch {torch.__version__}" if torch else "")
          + f"; {os.cpu_count()} CPUs, {threads} BLAS threads"
          + ("; QUICK run: rough figures" if args.quick else ""))
    print(f"Median of {runs} run(s) after a warm-up, float32; ratios are medians of the "
          f"runs' ratios. {compiled_loops(args.numpy_only)}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if load > 0.5:
        print(f"Note: the load average is {load:.1f}: other programs are using the CPUs, "
              f"so the figures will be slower and noisier than on an idle machine.")
    print()

    header = (f"{'case':4} {'library':8} {'seconds':>8} {'samples/s':>10} {'GFLOP/s':>8} "
              f"{'of GEMM':>8} {'final loss':>10}")
    print(header)
    print("-" * len(header))
    results = {}
    for case in cases:
        if case.key not in args.cases:
            continue
        x, y = make_data(case)
        contenders = {"course": course_training(case, x, y)}
        if torch:
            contenders["pytorch"] = torch_training(case, x, y, threads)
        contenders["matmul"] = gemm_training(case)
        timed = timed_runs(contenders, runs)
        samples = case.n * case.epochs
        flops = case.matmul_flops() * case.epochs
        for name, (times, loss) in timed.items():
            seconds = statistics.median(times)
            rate = flops / seconds / 1e9
            of_gemm = ratio(timed["matmul"][0], times)
            shown_loss = f"{loss:10.4f}" if name != "matmul" else f"  ({case.title})"
            print(f"{case.key if name == 'course' else '':4} {name:8} {seconds:8.3f} "
                  f"{samples / seconds:10.0f} {rate:8.2f} {of_gemm:8.0%} {shown_loss}")
        results[case.key] = {name: times for name, (times, _) in timed.items()}

    peak = None
    if "a" in results:
        baseline, peak = peak_memory_mb("a", args.quick, args.numpy_only)
        print(f"\nPeak memory of (a) in a fresh process: {peak:.0f} MB "
              f"({baseline:.0f} MB after importing numpy and the library, "
              f"{peak - baseline:.0f} MB more while training).")

    print("\nTargets on this machine:")
    for text, shown, met in targets(results, peak):
        verdict = "not measured (no PyTorch run)" if met is None else (
            "met" if met else "NOT met")
        print(f"  {text:46} {shown:>20}  {verdict}")
    return 0


def targets(results, peak):
    """(what, the figure, met?) for each target whose training ran; met is None
    when the figure needs PyTorch and it did not run. results: {case: {name:
    seconds of every run}}; each ratio is the median of the runs' ratios."""
    rows = []

    def versus_torch(case, text, needed):
        times = results[case]
        if "pytorch" not in times:
            rows.append((text, "", None))
        else:
            faster = ratio(times["pytorch"], times["course"])
            rows.append((text, f"{faster:.2f}x PyTorch", faster >= needed))

    if "a" in results:
        versus_torch("a", "(a) no slower than PyTorch", 1.0)
        of_gemm = ratio(results["a"]["matmul"], results["a"]["course"])
        rows.append(("(a) at least 75% of the measured GEMM speed", f"{of_gemm:.0%} of GEMM",
                     of_gemm >= 0.75))
        rows.append(("(a) peak memory under 200 MB", f"{peak:.0f} MB", peak < 200))
    if "b" in results:
        versus_torch("b", "(b) at least 3x faster than PyTorch", 3.0)
    if "c" in results:
        versus_torch("c", "(c) at least 3x faster than PyTorch", 3.0)
    return rows


if __name__ == "__main__":
    sys.exit(main())
