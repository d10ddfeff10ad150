"""A small builder of torchvision-shaped ONNX networks with seeded random weights, shared by
bench/generate_models.py (the bench's full-size models) and tests/models/fixtures/make_classifiers.py
(narrowed copies committed as test fixtures). BatchNormalization and the activation stay separate
nodes, the way exporters write them. Needs python3-onnx and numpy."""
import numpy as np
from onnx import TensorProto, helper, numpy_helper, save


class Net:
    def __init__(self, name, rng):
        self.name, self.rng, self.nodes, self.inits, self.flops, self.count = name, rng, [], [], 0, 0

    def tensor(self, values, prefix):
        self.count += 1
        name = f"{prefix}_{self.count}"
        self.inits.append(numpy_helper.from_array(values.astype(np.float32), name))
        return name

    def out(self, prefix):
        self.count += 1
        return f"{prefix}_{self.count}"

    def conv(self, x, cin, cout, k, stride, size, groups=1, act="relu"):
        """Conv (He-initialized), BatchNormalization, then "relu", "relu6" (Clip) or None; returns
        the output and its size."""
        rng = self.rng
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
        if act == "silu":
            return self.gated(z, "Sigmoid", {}), out_size
        return z, out_size

    def gated(self, x, gate, attributes):
        """x * gate(x): SiLU with Sigmoid, hard-swish with HardSigmoid (alpha 1/6), as exported."""
        g, y = self.out("gate"), self.out("gated")
        self.nodes.append(helper.make_node(gate, [x], [g], **attributes))
        self.nodes.append(helper.make_node("Mul", [x, g], [y]))
        return y

    def squeeze_excite(self, x, channels, squeezed):
        """Squeeze-and-excitation: global pool, 1x1 to `squeezed` channels (SiLU), 1x1 back
        (sigmoid), the input scaled per channel."""
        p = self.out("squeeze")
        self.nodes.append(helper.make_node("GlobalAveragePool", [x], [p]))
        gate = p
        for cin, cout, last in ((channels, squeezed, False), (squeezed, channels, True)):
            w = self.tensor(self.rng.standard_normal((cout, cin, 1, 1)) * np.sqrt(2.0 / cin), "se_w")
            b = self.tensor(self.rng.normal(0, 0.1, cout), "se_b")
            y = self.out("se")
            self.nodes.append(helper.make_node("Conv", [gate, w, b], [y]))
            if last:
                gate = self.out("excite")
                self.nodes.append(helper.make_node("Sigmoid", [y], [gate]))
            else:
                gate = self.gated(y, "Sigmoid", {})
        s = self.out("scaled")
        self.nodes.append(helper.make_node("Mul", [x, gate], [s]))
        return s

    def add(self, a, b, relu):
        y = self.out("add")
        self.nodes.append(helper.make_node("Add", [a, b], [y]))
        if not relu:
            return y
        r = self.out("relu")
        self.nodes.append(helper.make_node("Relu", [y], [r]))
        return r

    def head(self, x, channels, classes, bias):
        """Global average pool, Flatten and a Gemm to `classes` logits (bias: the Gemm's bias values)."""
        p, f = self.out("pool"), self.out("flat")
        self.nodes.append(helper.make_node("GlobalAveragePool", [x], [p]))
        self.nodes.append(helper.make_node("Flatten", [p], [f], axis=1))
        w = self.tensor(self.rng.standard_normal((classes, channels)) * np.sqrt(1.0 / channels), "fc_w")
        b = self.tensor(bias, "fc_b")
        self.nodes.append(helper.make_node("Gemm", [f, w, b], ["logits"], transB=1))
        self.flops += 2 * channels * classes
        self.classes = classes

    def save(self, path, size, producer):
        """Writes the network: input [batch, 3, size, size], output logits [batch, classes]."""
        graph = helper.make_graph(self.nodes, self.name,
                                  [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, size, size])],
                                  [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", self.classes])], self.inits)
        save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name=producer), path)


def resnet18(net, widths, size):
    """ResNet-18's layout: a 7x7/2 stem, a 3x3/2 max pool, four stages of two basic blocks."""
    x, size = net.conv("input", 3, widths[0], 7, 2, size)
    p = net.out("maxpool")
    net.nodes.append(helper.make_node("MaxPool", [x], [p], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]))
    x, size, cin = p, size // 2, widths[0]
    for cout, stride in zip(widths, [1, 2, 2, 2]):
        for block in range(2):
            s = stride if block == 0 else 1
            y, out_size = net.conv(x, cin, cout, 3, s, size)
            y, _ = net.conv(y, cout, cout, 3, 1, out_size, act=None)
            shortcut = x
            if s != 1 or cin != cout:
                shortcut, _ = net.conv(x, cin, cout, 1, s, size, act=None)
            x, size, cin = net.add(y, shortcut, relu=True), out_size, cout
    return x, cin


def mobilenetv2(net, stem, stages, last, size):
    """MobileNetV2's layout: a 3x3/2 stem, inverted residual stages (expand, cout, repeats,
    stride), a last 1x1 convolution."""
    x, size = net.conv("input", 3, stem, 3, 2, size, act="relu6")
    cin = stem
    for expand, cout, repeats, stride in stages:
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
    x, _ = net.conv(x, cin, last, 1, 1, size, act="relu6")
    return x, last


def efficientnet(net, stem, stages, last, size):
    """EfficientNet's layout: a 3x3/2 stem, MBConv stages (expand, cout, kernel, stride, repeats):
    1x1 expansion, k x k depthwise, squeeze-and-excitation to a quarter of the block's input
    channels, 1x1 projection, the residual; SiLU throughout; a last 1x1 convolution."""
    x, size = net.conv("input", 3, stem, 3, 2, size, act="silu")
    cin = stem
    for expand, cout, k, stride, repeats in stages:
        for i in range(repeats):
            s = stride if i == 0 else 1
            hidden = cin * expand
            y = x
            if expand != 1:
                y, _ = net.conv(y, cin, hidden, 1, 1, size, act="silu")
            y, out_size = net.conv(y, hidden, hidden, k, s, size, groups=hidden, act="silu")
            y = net.squeeze_excite(y, hidden, max(1, cin // 4))
            y, _ = net.conv(y, hidden, cout, 1, 1, out_size, act=None)
            x = net.add(y, x, relu=False) if s == 1 and cin == cout else y
            size, cin = out_size, cout
    x, _ = net.conv(x, cin, last, 1, 1, size, act="silu")
    return x, last
