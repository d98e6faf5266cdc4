#!/usr/bin/env python3
"""The server's folders form no cycle (CTest: layering_server_folders, label unit).

   check_server_folders.py SERVER_DIR

Reads every #include "folder/file.h" in server/<folder>/, builds the graph of which
folder uses which, and fails on any cycle, printing it with the files that make each
edge. Two files are exempt, the composition root: core/modules.cpp, whose job is to build
every module and hand each what it needs, and core/routetable.cpp, which binds every route
to its module's handler. Also fails if a file of server/ includes a
widget header (the server links no widget module)."""
import os
import re
import sys

COMPOSITION_ROOT = {"core/modules.cpp", "core/routetable.cpp"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z0-9_]+)/[^"]+"', re.M)
WIDGETS = re.compile(r"^\s*#\s*include\s+<(QtWidgets/|QtCharts/|Q(Widget|MainWindow|Dialog|Chart)\b)", re.M)


def main(server):
    folders = sorted(d for d in os.listdir(server) if os.path.isdir(os.path.join(server, d)))
    edges = {f: {} for f in folders}  # folder -> {used folder: [files]}
    problems = []
    for folder in folders:
        for name in sorted(os.listdir(os.path.join(server, folder))):
            if not name.endswith((".h", ".cpp")):
                continue
            rel = f"{folder}/{name}"
            text = open(os.path.join(server, folder, name), encoding="utf-8").read()
            if WIDGETS.search(text):
                problems.append(f"{rel} includes a widget header")
            if rel in COMPOSITION_ROOT:
                continue
            for used in INCLUDE.findall(text):
                if used != folder and used in edges and rel not in edges[folder].setdefault(used, []):
                    edges[folder][used].append(rel)

    # Depth-first search for a cycle; report each one once.
    state = {f: 0 for f in folders}  # 0 new, 1 on the path, 2 done
    path = []
    cycles = []

    def visit(f):
        state[f] = 1
        path.append(f)
        for g in sorted(edges[f]):
            if state[g] == 1:
                cycles.append(path[path.index(g):] + [g])
            elif state[g] == 0:
                visit(g)
        path.pop()
        state[f] = 2

    for f in folders:
        if state[f] == 0:
            visit(f)
    for cycle in cycles:
        problems.append("cycle: " + " -> ".join(cycle))
        for a, b in zip(cycle, cycle[1:]):
            problems.append(f"    {a} -> {b}: {', '.join(edges[a][b][:4])}")
    for f in folders:
        print(f"{f:14} uses {' '.join(sorted(edges[f])) or '-'}")
    if problems:
        print("\n".join(["FAIL:"] + problems))
        return 1
    print(f"layering: {len(folders)} folders, no cycle")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../server")))
