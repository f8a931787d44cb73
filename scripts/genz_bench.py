#!/usr/bin/env python3
"""Throughput benchmark of the PyPI package `genz-llm` (0.0.16), the Python side
of the comparison with our Swift engine.

Usage (GenZ must be importable, e.g. from a throwaway venv):

    /tmp/genz-venv/bin/python scripts/genz_bench.py \
        --cases /work/shared/reference/genz_cases_public.json --seconds 15 [--out FILE]

`--cases` is a JSON array of cases with fields id, phase ('prefill'|'decode'),
model, batch_size, beam_size, input_tokens, output_tokens, hardware (preset name
string or dict {Flops, Memory_size, Memory_BW, ICN, optional ICN_LL}), bits,
tensor_parallel, pipeline_parallel, expert_parallel.

Every case is first called once (the "validation pass"); cases that raise are
counted as errors and left out of the timing. The valid cases are then called
round-robin until `--seconds` have been spent (always at least one full pass).
Stdout receives exactly one line of JSON:

    {"estimates": N, "seconds": T, "estimates_per_second": N/T,
     "ms_per_estimate": 1000*T/N, "errors": E}

Everything GenZ prints or warns is discarded (Python-level and fd-level).
GenZ writes two CSV files per call into the hard-coded /tmp/genz/data/model;
the script removes the files it created (and the directories, when it created
them) on exit.

Uses only the standard library plus GenZ.
"""

import argparse
import contextlib
import io
import json
import os
import shutil
import sys
import time
import traceback
import warnings

# GenZ's hard-coded scratch location (GenZ/Models/get_language_model.py DATA_PATH and
# GenZ/analyse_model.py get_model_df default); it is a default-argument value, so it
# cannot be redirected without patching GenZ.
GENZ_SCRATCH_ROOT = "/tmp/genz"
GENZ_MODEL_DIR = os.path.join(GENZ_SCRATCH_ROOT, "data", "model")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", required=True, help="JSON array of cases")
    p.add_argument("--seconds", type=float, default=20.0,
                   help="total time budget for the timed loop (default 20)")
    p.add_argument("--out", default=None,
                   help="optional JSON file with per-case results")
    return p.parse_args(argv)


@contextlib.contextmanager
def silenced():
    """Discard everything written to stdout/stderr, both via sys.* and raw fds 1/2."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = []
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in (1, 2):
            try:
                saved.append((fd, os.dup(fd)))
                os.dup2(devnull, fd)
            except OSError:
                pass
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            yield
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:
            pass
        for fd, dup in saved:
            os.dup2(dup, fd)
            os.close(dup)
        os.close(devnull)


class ScratchCleaner:
    """Remembers what existed under GenZ's scratch dir and removes what we add."""

    def __init__(self):
        self.root_existed = os.path.exists(GENZ_SCRATCH_ROOT)
        self.before = set()
        if os.path.isdir(GENZ_MODEL_DIR):
            try:
                self.before = set(os.listdir(GENZ_MODEL_DIR))
            except OSError:
                pass

    def cleanup(self):
        removed = 0
        if not self.root_existed:
            # The whole tree is ours.
            if os.path.isdir(GENZ_SCRATCH_ROOT):
                for _, _, files in os.walk(GENZ_SCRATCH_ROOT):
                    removed += len(files)
                shutil.rmtree(GENZ_SCRATCH_ROOT, ignore_errors=True)
            return removed
        # Pre-existing tree: remove only the files this run added.
        if os.path.isdir(GENZ_MODEL_DIR):
            try:
                names = os.listdir(GENZ_MODEL_DIR)
            except OSError:
                names = []
            for name in names:
                if name in self.before or not name.endswith(".csv"):
                    continue
                try:
                    os.remove(os.path.join(GENZ_MODEL_DIR, name))
                    removed += 1
                except OSError:
                    pass
        return removed


def build_call(GenZ, case):
    """Return (function, kwargs) for one case."""
    hw = case["hardware"]
    if isinstance(hw, dict):
        # Copy (never mutate the case) and add real_values=True when it is absent;
        # GenZ only reads a dict whose real_values is True, otherwise it fails with
        # UnboundLocalError (NUM_FLOPS). An explicit real_values (e.g. False in the
        # "hw_dict_real_values_false" edge case) is kept, as the reference harness does.
        hw = dict(hw)
        hw.setdefault("real_values", True)
    elif not isinstance(hw, str):
        raise TypeError(f"hardware must be a preset name or a dict, got {type(hw).__name__}")
    common = dict(
        model=case["model"],
        batch_size=case["batch_size"],
        input_tokens=case["input_tokens"],
        system_name=hw,
        bits=case["bits"],
        tensor_parallel=case["tensor_parallel"],
        pipeline_parallel=case["pipeline_parallel"],
        expert_parallel=case["expert_parallel"],
    )
    phase = case["phase"]
    if phase == "prefill":
        return GenZ.prefill_moddeling, common
    if phase == "decode":
        common.update(Bb=case["beam_size"], output_tokens=case["output_tokens"])
        return GenZ.decode_moddeling, common
    raise ValueError(f"unknown phase {phase!r}")


def main(argv=None):
    args = parse_args(argv)
    with open(args.cases) as f:
        cases = json.load(f)
    if not isinstance(cases, list):
        raise SystemExit("--cases must hold a JSON array")

    warnings.simplefilter("ignore")
    cleaner = ScratchCleaner()
    per_case = []
    valid = []          # list of (fn, kwargs)
    errors = 0
    n = 0
    elapsed = 0.0
    try:
        with silenced():
            import GenZ  # noqa: E402  (import is slow, ~4 s; kept out of timing)

            # Validation pass: one call per case, errors counted and skipped.
            for case in cases:
                rec = {"id": case.get("id"), "phase": case.get("phase")}
                try:
                    fn, kw = build_call(GenZ, case)
                    t0 = time.perf_counter()
                    res = fn(**kw)
                    rec["first_call_ms"] = 1000.0 * (time.perf_counter() - t0)
                    # ModdelingOutput is a plain dict subclass: the values are
                    # items. Attribute access (res.Latency) silently returns the
                    # class-level default 0, so always index.
                    rec["Latency_ms"] = float(res["Latency"])
                    rec["Throughput"] = float(res["Throughput"])
                    rec["is_offload"] = bool(res["is_offload"])
                    valid.append((fn, kw))
                except Exception as e:  # noqa: BLE001 - GenZ raises assorted types
                    errors += 1
                    rec["error"] = f"{type(e).__name__}: {e}"
                    rec["error_where"] = traceback.format_exception_only(type(e), e)[-1].strip()
                per_case.append(rec)

            # Timed loop: round-robin over valid cases, at least one full pass.
            if valid:
                budget = max(0.0, args.seconds)
                t_start = time.perf_counter()
                i = 0
                nvalid = len(valid)
                while True:
                    fn, kw = valid[i]
                    fn(**kw)
                    n += 1
                    i += 1
                    if i == nvalid:
                        i = 0
                    if n >= nvalid and time.perf_counter() - t_start >= budget:
                        break
                elapsed = time.perf_counter() - t_start
    finally:
        removed = cleaner.cleanup()

    summary = {
        "estimates": n,
        "seconds": elapsed,
        "estimates_per_second": (n / elapsed) if elapsed > 0 else None,
        "ms_per_estimate": (1000.0 * elapsed / n) if n else None,
        "errors": errors,
    }
    if args.out:
        with open(args.out, "w") as f:
            json.dump({
                "summary": summary,
                "cases_total": len(cases),
                "cases_valid": len(valid),
                "scratch_files_removed": removed,
                "cases": per_case,
            }, f, indent=1)
            f.write("\n")
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
