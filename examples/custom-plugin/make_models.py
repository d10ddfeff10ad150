"""Writes the two tiny ONNX models of this example (committed; rerun to regenerate):
models/conv-scaled-swish.onnx uses the custom op kiln.examples::ScaledSwish (beta 1.5) after a Conv;
models/conv-scaled-swish-reference.onnx computes the same with standard ops (Mul, Sigmoid, Mul).
Needs python3-onnx (Debian) and numpy; the example itself needs no Python."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(7)
weights = numpy_helper.from_array(rng.standard_normal((4, 3, 3, 3)).astype(np.float32) * 0.5, "W")
bias = numpy_helper.from_array(rng.standard_normal(4).astype(np.float32) * 0.1, "B")
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3, 8, 8])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4, 8, 8])
conv = helper.make_node("Conv", ["x", "W", "B"], ["c"], name="conv", pads=[1, 1, 1, 1], kernel_shape=[3, 3])

custom = helper.make_graph(
    [conv, helper.make_node("ScaledSwish", ["c"], ["y"], name="swish", domain="kiln.examples", beta=1.5)],
    "conv_scaled_swish", [x], [y], [weights, bias])
model = helper.make_model(custom, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("kiln.examples", 1)],
                          producer_name="kiln examples")
onnx.save(model, "models/conv-scaled-swish.onnx")

beta = numpy_helper.from_array(np.array(1.5, dtype=np.float32), "beta")
reference = helper.make_graph(
    [conv,
     helper.make_node("Mul", ["c", "beta"], ["scaled"], name="scale"),
     helper.make_node("Sigmoid", ["scaled"], ["gate"], name="gate"),
     helper.make_node("Mul", ["c", "gate"], ["y"], name="swish")],
    "conv_scaled_swish_reference", [x], [y], [weights, bias, beta])
onnx.save(helper.make_model(reference, opset_imports=[helper.make_opsetid("", 17)], producer_name="kiln examples"),
          "models/conv-scaled-swish-reference.onnx")
