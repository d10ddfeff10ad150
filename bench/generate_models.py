"""Generates the benchmark's torchvision-shaped networks with seeded random weights (not
committed; run `python3 bench/generate_models.py`, which `pnpm bench` does when they are
missing). Needs python3-onnx and numpy (Debian packages).

  models/resnet18.onnx      ResNet-18 layout: 7×7 stem, 4 stages of basic blocks, 224×224
  models/mobilenetv2.onnx   MobileNetV2 layout: inverted residuals with depthwise 3×3, 224×224

Both take [batch, 3, 224, 224] (dynamic batch) and keep BatchNormalization and the activation
as separate nodes, the way exporters write them. models/<name>.json records the GFLOP of one
image (2 × multiply-adds of every Conv and Gemm)."""
import json
import os

import numpy as np

from onnx_net import Net, mobilenetv2, resnet18

rng = np.random.default_rng(2024)
here = os.path.dirname(os.path.abspath(__file__))
MOBILENETV2_STAGES = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


def write(net, x, channels):
    net.head(x, channels, 1000, np.zeros(1000))
    net.save(os.path.join(here, "models", f"{net.name}.onnx"), 224, "kiln bench")
    with open(os.path.join(here, "models", f"{net.name}.json"), "w") as f:
        json.dump({"gflop": net.flops / 1e9, "input": "input", "shape": [3, 224, 224]}, f)


if __name__ == "__main__":
    os.makedirs(os.path.join(here, "models"), exist_ok=True)
    net = Net("resnet18", rng)
    write(net, *resnet18(net, [64, 128, 256, 512], 224))
    net = Net("mobilenetv2", rng)
    write(net, *mobilenetv2(net, 32, MOBILENETV2_STAGES, 1280, 224))
    for name in ("resnet18", "mobilenetv2"):
        print(name, open(os.path.join(here, "models", f"{name}.json")).read())
