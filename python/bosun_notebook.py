"""Bosun's notebook runner: executes a Jupyter notebook headless with nbclient, papermill-style
parameters, and exports the executed notebook to HTML with nbconvert.

Run as `python bosun_notebook.py CONFIG.json`; writes the config's `result` file (JSON). A cell
that raises ends the run: the result then names the cell and carries its traceback.
"""
import json
import re
import sys
import time

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def parameters_cell(parameters):
    source = "# Parameters injected by Bosun\n" + "\n".join(f"{name} = {value!r}" for name, value in parameters.items())
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["tags"] = ["injected-parameters"]
    return cell


def inject(nb, parameters):
    """After the cell tagged `parameters` (papermill's convention), or first when there is none."""
    if not parameters:
        return
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
    nb.cells.insert(tagged[0] + 1 if tagged else 0, parameters_cell(parameters))


def main():
    with open(sys.argv[1]) as f:
        config = json.load(f)
    bad = [name for name in (config.get("parameters") or {}) if not name.isidentifier()]
    if bad:
        with open(config["result"], "w") as out:
            json.dump({"error": {"code": "INVALID_INPUT", "message": f"parameters {', '.join(bad)}: not Python names"}}, out)
        sys.exit(2)
    nb = nbformat.read(config["notebook"], as_version=4)
    inject(nb, config.get("parameters") or {})
    # IPC sockets, not TCP: inside the sandbox's network namespace even loopback is down.
    km = KernelManager(kernel_name=config["kernel"], transport="ipc", ip=config["socket_prefix"])
    client = NotebookClient(
        nb, km=km, timeout=config["cell_timeout_s"], resources={"metadata": {"path": config["cwd"]}}
    )
    started = time.perf_counter()
    error = None
    executed = 0
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            try:
                client.execute_cell(cell, index)
                executed += 1
            except CellExecutionError as err:
                traceback = ANSI.sub("", str(err))
                error = {
                    "cell": index + 1,
                    "ename": getattr(err, "ename", "Error"),
                    "evalue": getattr(err, "evalue", ""),
                    "traceback": traceback[-8000:],
                }
                break
    nbformat.write(nb, config["output"])
    html, _ = HTMLExporter().from_notebook_node(nb)
    with open(config["html"], "w") as out:
        out.write(html)
    result = {
        "cells": len(nb.cells),
        "executed": executed,
        "seconds": time.perf_counter() - started,
        "output": config["output"],
        "html": config["html"],
        "error": error,
    }
    with open(config["result"], "w") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main()
