"""A MiniSBD-compatible sentence splitter model (ONNX), written byte for byte without ONNX tools.

LibreTranslate 1.9 splits each text into sentences with MiniSBD before translating it. MiniSBD
downloads its ONNX model from the internet unless the Argos package carries one in a `minisbd/`
folder, so the test server's packages get this one. It marks no sentence boundary at all (MiniSBD
itself ends the last sentence at the end of the text): briefing sends one sentence per text already,
split with pysbd, and the server must translate each text whole, as the in-process engine does.

The model is one ONNX `Gather`: each character id picks a row of logits, and every row prefers
class 0 ("no boundary here"). MiniSBD reads its configuration and vocabulary from the model's
metadata. The protobuf is encoded here by hand (a few field numbers of onnx.proto), so the test
set-up needs no ONNX package and the bytes never change.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

#: onnx.proto TensorProto.DataType values.
_FLOAT = 1
_INT64 = 7
#: MiniSBD's classes: none, token end, sentence end, multi-word token end, both.
_CLASSES = 5


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field_int(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def _field_bytes(number: int, value: bytes | str) -> bytes:
    data = value.encode() if isinstance(value, str) else value
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _value_info(name: str, elem_type: int, dims: list[str]) -> bytes:
    """ValueInfoProto{name, type{tensor_type{elem_type, shape{dim{dim_param}...}}}}."""
    shape = b"".join(_field_bytes(1, _field_bytes(2, dim)) for dim in dims)
    tensor_type = _field_int(1, elem_type) + _field_bytes(2, shape)
    return _field_bytes(1, name) + _field_bytes(2, _field_bytes(1, tensor_type))


def model_bytes() -> bytes:
    """The serialized ModelProto."""
    vocabulary = ["<PAD>", "<UNK>"]
    logits = [[1.0] + [0.0] * (_CLASSES - 1) for _ in vocabulary]
    table = (
        b"".join(_field_int(1, n) for n in (len(vocabulary), _CLASSES))  # dims
        + _field_int(2, _FLOAT)  # data_type
        + _field_bytes(8, "logits_table")  # name
        + _field_bytes(9, b"".join(struct.pack("<f", x) for row in logits for x in row))
    )
    node = (
        _field_bytes(1, "logits_table")
        + _field_bytes(1, "units")
        + _field_bytes(2, "logits")
        + _field_bytes(3, "gather")
        + _field_bytes(4, "Gather")
    )
    graph = (
        _field_bytes(1, node)
        + _field_bytes(2, "no_boundaries")
        + _field_bytes(5, table)
        + _field_bytes(11, _value_info("units", _INT64, ["batch", "chars"]))
        + _field_bytes(11, _value_info("features", _FLOAT, ["batch", "chars", "features"]))
        + _field_bytes(12, _value_info("logits", _FLOAT, ["batch", "chars", "classes"]))
    )
    config = {
        "skip_newline": False,
        "max_seqlen": 1000,
        "no_ssplit": False,
        "batch_size": 32,
        "feat_funcs": [],
        "use_dictionary": False,
        "num_dict_feat": 0,
    }
    vocab = {
        "lang": "en",
        "idx": 0,
        "cutoff": 0,
        "lower": False,
        "_unit2id": {unit: i for i, unit in enumerate(vocabulary)},
        "_id2unit": vocabulary,
    }
    metadata = {
        "lang_code": "en",
        "config": json.dumps(config, sort_keys=True),
        "vocab": json.dumps(vocab, sort_keys=True),
        "lexicon": "null",
    }
    return (
        _field_int(1, 8)  # ir_version
        + _field_bytes(2, "briefing-tests")  # producer_name
        + _field_bytes(7, graph)
        + _field_bytes(8, _field_bytes(1, "") + _field_int(2, 13))  # opset_import ai.onnx 13
        + b"".join(
            _field_bytes(14, _field_bytes(1, key) + _field_bytes(2, value))
            for key, value in metadata.items()
        )
    )


def write_model(folder: Path) -> Path:
    """Write `folder/minisbd/en.onnx`, the place argostranslate looks for a packaged splitter."""
    target = folder / "minisbd" / "en.onnx"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(model_bytes())
    return target
