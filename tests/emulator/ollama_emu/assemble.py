"""The layer list of a created model: its weights, the base's other layers, then what the
Modelfile adds, in the era's order (server/images.go CreateModel at v0.5.4, server/create.go
createModel at v0.5.7 and later), each carrying the status `create` prints for it."""

from .env import E
from .fmt import go_json
from .gotemplate import check
from .names import short
from .store import MT, write_blob

STATUS = "_status"  # the layer's line in the create stream; never written to a manifest


def new_layer(media, data, size=None):
    """A layer holding `data`: `creating new layer`, or `using existing layer` when the blob
    was there already (NewLayer)."""
    digest, length, existed = write_blob(data)
    status = ("using existing layer " if existed else "creating new layer ") + digest
    return {"mediaType": MT + media, "digest": digest, "size": length if size is None else size,
            STATUS: status}


def inherited(base, media=None):
    """The base's layers (of one media type, or all), named after it (parseFromModel)."""
    out = []
    for layer in (base["layers"] if base else []):
        if media is None or layer["mediaType"] == MT + media:
            out.append(dict(layer, **{"from": short(base["name"]),
                                      STATUS: "using existing layer " + layer["digest"]}))
    return out


def without(layers, media):
    return [layer for layer in layers if layer["mediaType"] != MT + media]


def json_layer(media, value):
    """A params or messages layer as json.Encoder writes it (keys of a map sorted)."""
    if isinstance(value, dict):
        value = dict(sorted(value.items()))
    return new_layer(media, go_json(value) + "\n")


def messages_of(cmds):
    """MESSAGE values as api.Message objects (role before the first ": ")."""
    return [dict(zip(("role", "content"), value.split(": ", 1)))
            for name, value in cmds if name == "message"]


def assemble(model_layers, base, cmds, params):
    """Every layer of the new model: `model_layers` (weights, draft), the base's other
    layers in its order, then the Modelfile's."""
    kept = [layer for layer in inherited(base)
            if layer["mediaType"] not in (MT + "model", MT + "draft")]
    merged = dict(base["params"]) if base else {}
    merged.update(params)
    if E["reserialize"]:
        return commands_in_order(model_layers + kept, cmds, merged)
    return fields_in_order(model_layers + kept, cmds, merged)


def commands_in_order(layers, cmds, merged):
    """Up to 0.5.4 the server walks the commands: TEMPLATE and SYSTEM replace their layer
    (an empty value too), LICENSE adds one; then the messages, then the parameters merged
    over the base's. The base's messages stay: the clean-up names media type `…message`,
    which no layer has, and the later layer wins when the model is read."""
    for name, value in cmds:
        if name == "template":
            check(value)
        if name in ("template", "system"):
            layers = without(layers, name) + [new_layer(name, value)]
        elif name == "license":
            layers.append(new_layer(name, value))
    layers = without(layers, "params")
    messages = messages_of(cmds)
    if messages:
        layers.append(json_layer("messages", messages))
    if merged:
        layers.append(json_layer("params", merged))
    return layers


def fields_in_order(layers, cmds, merged):
    """From 0.5.5 the request's fields, in createModel's order: TEMPLATE, SYSTEM (the last
    of each; empty = not given), every LICENSE, the merged parameters, the messages."""
    for media in ("template", "system"):
        given = [value for name, value in cmds if name == media][-1:]
        if given and given[0]:
            if media == "template":
                check(given[0])
            layers = without(layers, media) + [new_layer(media, given[0])]
    layers += [new_layer("license", value) for name, value in cmds if name == "license"]
    if merged:
        layers = without(layers, "params") + [json_layer("params", merged)]
    messages = messages_of(cmds)
    if messages:
        layers = without(layers, "messages") + [json_layer("messages", messages)]
    return layers


def statuses(layers):
    """The layers' lines, in order; the layers as the manifest lists them."""
    return ([layer[STATUS] for layer in layers if STATUS in layer],
            [{k: v for k, v in layer.items() if k != STATUS} for layer in layers])
