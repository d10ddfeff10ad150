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
from onnx import TensorProto, helper, numpy_helper, save

rng = np.random.default_rng(2024)
here = os.path.dirname(os.path.abspath(__file__))


class Net:
    def __init__(self, name):
        self.name, self.nodes, self.inits, self.flops, self.count = name, [], [], 0, 0

    def tensor(self, values, prefix):
        self.count += 1
        name = f"{prefix}_{self.count}"
        self.inits.append(numpy_helper.from_array(values.astype(np.float32), name))
        return name

    def out(self, prefix):
        self.count += 1
        return f"{prefix}_{self.count}"

    def conv(self, x, cin, cout, k, stride, size, groups=1, act="relu"):
        fan_in = cin // groups * k * k
        w = self.tensor(rng.standard_normal((cout, cin // groups, k, k)) * np.sqrt(2.0 / fan_in), "w")
        y = self.out("conv")
        self.nodes.append(helper.make_node("Conv", [x, w], [y], kernel_shape=[k, k], strides=[stride, stride],
                                           pads=[k // 2] * 4, group=groups))
        out_size = (size + 2 * (k // 2) - k) // stride + 1
        self.flops += 2 * cout * out_size * out_size * fan_in
        bn = [self.tensor(v, "bn") for v in (rng.uniform(0.5, 1.5, cout), rng.normal(0, 0.1, cout),
                                             rng.normal(0, 0.1, cout), rng.uniform(0.5, 1.5, cout))]
        z = self.out("bn")
        self.nodes.append(helper.make_node("BatchNormalization", [y] + bn, [z], epsilon=1e-5))
        if act == "relu":
            a = self.out("relu")
            self.nodes.append(helper.make_node("Relu", [z], [a]))
            return a, out_size
        if act == "relu6":
            lo, hi = self.tensor(np.array(0.0), "min"), self.tensor(np.array(6.0), "max")
            a = self.out("relu6")
            self.nodes.append(helper.make_node("Clip", [z, lo, hi], [a]))
            return a, out_size
        return z, out_size

    def add(self, a, b, relu):
        y = self.out("add")
        self.nodes.append(helper.make_node("Add", [a, b], [y]))
        if not relu:
            return y
        r = self.out("relu")
        self.nodes.append(helper.make_node("Relu", [y], [r]))
        return r

    def head(self, x, channels):
        p, f = self.out("pool"), self.out("flat")
        self.nodes.append(helper.make_node("GlobalAveragePool", [x], [p]))
        self.nodes.append(helper.make_node("Flatten", [p], [f], axis=1))
        w = self.tensor(rng.standard_normal((1000, channels)) * np.sqrt(1.0 / channels), "fc_w")
        b = self.tensor(np.zeros(1000), "fc_b")
        self.nodes.append(helper.make_node("Gemm", [f, w, b], ["logits"], transB=1))
        self.flops += 2 * channels * 1000

    def save(self):
        graph = helper.make_graph(self.nodes, self.name,
                                  [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, 224, 224])],
                                  [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 1000])], self.inits)
        save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="kiln bench"),
             os.path.join(here, "models", f"{self.name}.onnx"))
        with open(os.path.join(here, "models", f"{self.name}.json"), "w") as f:
            json.dump({"gflop": self.flops / 1e9, "input": "input", "shape": [3, 224, 224]}, f)


def resnet18():
    net = Net("resnet18")
    x, size = net.conv("input", 3, 64, 7, 2, 224)
    p = net.out("maxpool")
    net.nodes.append(helper.make_node("MaxPool", [x], [p], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]))
    x, size, cin = p, size // 2, 64
    for cout, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
        for block in range(2):
            s = stride if block == 0 else 1
            y, out_size = net.conv(x, cin, cout, 3, s, size)
            y, _ = net.conv(y, cout, cout, 3, 1, out_size, act=None)
            shortcut = x
            if s != 1 or cin != cout:
                shortcut, _ = net.conv(x, cin, cout, 1, s, size, act=None)
            x, size, cin = net.add(y, shortcut, relu=True), out_size, cout
    net.head(x, 512)
    net.save()


def mobilenetv2():
    net = Net("mobilenetv2")
    x, size = net.conv("input", 3, 32, 3, 2, 224, act="relu6")
    cin = 32
    for expand, cout, repeats, stride in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        for i in range(repeats):
            s = stride if i == 0 else 1
            hidden = cin * expand
            y, out_size = x, size
            if expand != 1:
                y, _ = net.conv(y, cin, hidden, 1, 1, size, act="relu6")
            y, out_size = net.conv(y, hidden, hidden, 3, s, size, groups=hidden, act="relu6")
            y, _ = net.conv(y, hidden, cout, 1, 1, out_size, act=None)
            x = net.add(y, x, relu=False) if s == 1 and cin == cout else y
            size, cin = out_size, cout
    x, _ = net.conv(x, cin, 1280, 1, 1, size, act="relu6")
    net.head(x, 1280)
    net.save()


if __name__ == "__main__":
    os.makedirs(os.path.join(here, "models"), exist_ok=True)
    resnet18()
    mobilenetv2()
    for name in ("resnet18", "mobilenetv2"):
        print(name, open(os.path.join(here, "models", f"{name}.json")).read())
