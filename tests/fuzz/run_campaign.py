#!/usr/bin/env python3
"""A fuzzing campaign: each target in turn, one job at a time, for its share of seconds.

   run_campaign.py FUZZ_BUILD_DIR OUTPUT_DIR [target=seconds ...]

Starts from the committed corpus (tests/fuzz/corpus/<name>/, copied into
OUTPUT_DIR/corpus/<name>, which the run grows), with tests/fuzz/<name>.dict where there is
one, ASan and UBSan as the targets are built (tests/fuzz/targets.cmake), at nice 15. The
per-input timeout is 120 s: libFuzzer's is wall-clock, and a target at nice 15 on a busy
machine can wait over 10 s for a core in the middle of an input that takes a millisecond.
Writes OUTPUT_DIR/campaign.md: per target the seconds asked, the CPU seconds it really
got, executions, coverage (cov, ft), corpus size and crashes (saved as
OUTPUT_DIR/<name>/crash-*). Afterwards merge what is worth keeping into the committed
corpus with -merge=1 (docs/security.md, "Fuzzing")."""
import os
import re
import resource
import shutil
import subprocess
import sys
import time

FUZZ = os.path.dirname(os.path.abspath(__file__))
DEFAULT = {"requestframer": 600, "requestbodies": 480, "router": 420, "jwt": 420, "serverconfig": 360,
           "databaseurl": 360, "idempotencykey": 360, "admissiontoken": 300, "pushmessage": 300}


def run(build, out, name, seconds):
    corpus = os.path.join(out, "corpus", name)
    if not os.path.isdir(corpus):
        shutil.copytree(os.path.join(FUZZ, "corpus", name), corpus)
    artifacts = os.path.join(out, name)
    os.makedirs(artifacts, exist_ok=True)
    args = ["nice", "-n", "15", os.path.join(build, "fuzz_" + name), f"-max_total_time={seconds}",
            "-rss_limit_mb=2048", "-timeout=120", "-print_final_stats=1", f"-artifact_prefix={artifacts}/", corpus]
    if os.path.exists(os.path.join(FUZZ, name + ".dict")):
        args.insert(4, "-dict=" + os.path.join(FUZZ, name + ".dict"))
    env = dict(os.environ, UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    with open(os.path.join(artifacts, "fuzz.log"), "w") as log:
        rc = subprocess.call(args, stdout=log, stderr=subprocess.STDOUT, env=env)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    text = open(os.path.join(artifacts, "fuzz.log"), errors="replace").read()
    execs = re.findall(r"stat::number_of_executed_units: (\d+)", text)
    status = re.findall(r"^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/(\S+)", text, re.M)
    crashes = [f for f in os.listdir(artifacts) if f.split("-")[0] in ("crash", "leak", "timeout", "oom")]
    last = status[-1] if status else ("0", "0", "0", "0", "0")
    return {"name": name, "asked": seconds, "wall": wall, "cpu": cpu, "execs": int(execs[-1]) if execs else int(last[0]),
            "cov": last[1], "ft": last[2], "corpus": f"{last[3]}/{last[4]}", "crashes": len(crashes), "rc": rc}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    build, out = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    plan = dict(a.split("=") for a in sys.argv[3:]) if len(sys.argv) > 3 else DEFAULT
    os.makedirs(out, exist_ok=True)
    table = os.path.join(out, "campaign.md")
    if not os.path.exists(table):
        with open(table, "w") as f:
            f.write("| target | seconds | CPU seconds | executions | cov | ft | corpus | crashes |\n|---|---|---|---|---|---|---|---|\n")
    for name, seconds in plan.items():
        r = run(build, out, name, int(seconds))
        line = (f"| {r['name']} | {r['wall']:.0f} | {r['cpu']:.0f} | {r['execs']} | {r['cov']} | {r['ft']} | {r['corpus']} "
                f"| {r['crashes']}{'' if r['rc'] == 0 else ' (exit ' + str(r['rc']) + ')'} |\n")
        with open(table, "a") as f:
            f.write(line)
        print(line, end="", flush=True)


if __name__ == "__main__":
    main()
