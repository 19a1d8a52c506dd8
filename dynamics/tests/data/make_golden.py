"""Make the golden sample: CSV inputs and the outputs of the pre-streaming CLI."""
import csv, gzip, json, subprocess, sys
from datetime import date, timedelta
import numpy as np
D = "dynamics/tests/data"
rng = np.random.default_rng(2024)
def pairs_file(path, n_pairs, t_len, extra=(), times=False):
    rows = []
    for k in range(n_pairs):
        a = np.array([[0.4, 0.1 * (k % 3)], [0.3 if k % 2 else 0.0, 0.3]])
        y = np.zeros((t_len + 20, 2))
        for t in range(1, t_len + 20):
            y[t] = a @ y[t - 1] + rng.standard_normal(2)
        y = np.round(y[20:] + 5, 2)
        off = int(rng.integers(0, 5))
        for t in range(t_len):
            for i, who in enumerate(("mum", "kid") if k % 4 else ("Zoë", "you")):
                if rng.random() < 0.1:
                    continue
                v = y[t, i]
                if k == 3:
                    v = 5.0 if i == 1 else v  # constant kid
                if k == 5 and t > 12:
                    continue  # too short
                day = (date(2024, 3, 1) + timedelta(days=t + off)).isoformat()
                if times:
                    rows.append([f"pair-{k}", who, day + "T08:30", repr(float(v))])
                    if rng.random() < 0.2:
                        rows.append([f"pair-{k}", who, day + " 20:15:00+02:00", repr(float(v + 1))])
                else:
                    rows.append([f"pair-{k}", who, day, repr(float(v))])
    rows += list(extra)
    with open(path, "w", newline="") as f:
        w = csv.writer(f); w.writerow(["pair_id", "person", "time", "value"]); w.writerows(rows)
def solo_file(path, n, t_len):
    rows = []
    for k in range(n):
        p = np.round(rng.normal(5, 1.5, t_len), 1)
        o = np.round(5 + 0.4 * (p - 5) + rng.normal(0, 1, t_len), 1)
        for t in range(t_len):
            if rng.random() < 0.15:
                continue
            rows.append([f"s{k}", (date(2024, 1, 1) + timedelta(days=t)).isoformat(), repr(float(o[t])), repr(float(p[t]))])
    with open(path, "w", newline="") as f:
        w = csv.writer(f); w.writerow(["person_id", "time", "own", "perceived"]); w.writerows(rows)
pairs_file(f"{D}/pairs.csv", 24, 50)
pairs_file(f"{D}/pairs_small.csv", 3, 40)
pairs_file(f"{D}/pairs_times.csv", 21, 40, times=True)
pairs_file(f"{D}/pairs_bad.csv", 22, 30, extra=[["pair-1", "mum", "2024-13-01", "5"], ["pair-2", "kid", "2024-03-02", "abc"], ["pair-x", "solo", "2024-03-01", "4"]])
solo_file(f"{D}/solo.csv", 6, 60)
runs = {
    "pairs_default": ["fit", "pairs.csv"],
    "pairs_window": ["fit", "pairs.csv", "--window", "21", "--step", "7"],
    "pairs_ols_nochance": ["fit", "pairs.csv", "--method", "ols", "--no-chance"],
    "pairs_small": ["fit", "pairs_small.csv", "--seed", "3"],
    "pairs_bad": ["fit", "pairs_bad.csv"],
    "pairs_times": ["fit", "pairs_times.csv", "--window", "14"],
    "pairs_times_prompt": ["fit", "pairs_times.csv", "--resolution", "prompt"],
    "pairs_prompt": ["fit", "pairs_small.csv", "--resolution", "prompt"],
    "solo_default": ["solo", "solo.csv"],
    "solo_window": ["solo", "solo.csv", "--window", "30", "--step", "10"],
}
manifest = {}
for name, argv in runs.items():
    argv = [argv[0], f"{D}/{argv[1]}", *argv[2:]]
    out = f"/tmp/dc/gold_{name}.json"
    proc = subprocess.run([sys.executable, "-m", "dynamics", *argv, "--out", out], capture_output=True, text=True)
    data = open(out, "rb").read()
    open(f"{D}/{name}.json.gz", "wb").write(gzip.compress(data, mtime=0))
    manifest[name] = {"argv": argv, "exit": proc.returncode}
    print(name, proc.returncode, len(data))
json.dump(manifest, open(f"{D}/golden.json", "w"), indent=2)
