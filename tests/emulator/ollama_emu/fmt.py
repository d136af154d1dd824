"""Go's formatting as the CLI uses it: format/bytes.go, format/time.go, %v, %#v, tablewriter."""

import time


def human_bytes(b):
    for limit, unit in ((10**12, "TB"), (10**9, "GB"), (10**6, "MB"), (10**3, "KB")):
        if b >= limit:
            value = b / limit
            break
    else:
        return "%d B" % b
    if value >= 10:
        return "%d %s" % (int(value), unit)
    if value != int(value):
        return "%.1f %s" % (value, unit)
    return "%d %s" % (int(value), unit)


def human_bytes2(b):
    """format.HumanBytes2: binary units, one decimal."""
    for limit, unit in ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if b >= limit:
            return "%.1f %s" % (b / limit, unit)
    return "%d B" % b


def human_number(n):
    if n >= 10**9:
        v = n / 10**9
        return "%.0fB" % v if v == int(v) else "%.1fB" % v
    if n >= 10**6:
        v = n / 10**6
        return "%.0fM" % v if v == int(v) else "%.2fM" % v
    if n >= 10**3:
        return "%.0fK" % (n / 10**3)
    return str(n)


def human_duration(d):
    seconds = int(d)
    if seconds < 1:
        return "Less than a second"
    if seconds == 1:
        return "1 second"
    if seconds < 60:
        return "%d seconds" % seconds
    minutes = int(d / 60)
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return "%d minutes" % minutes
    hours = int(round(d / 3600))
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return "%d hours" % hours
    if hours < 24 * 7 * 2:
        return "%d days" % (hours // 24)
    if hours < 24 * 30 * 2:
        return "%d weeks" % (hours // 24 // 7)
    if hours < 24 * 365 * 2:
        return "%d months" % (hours // 24 // 30)
    return "%d years" % int(d / 3600 / 24 / 365)


def human_time(t):
    """format.HumanTime: "Forever" more than 20 years ahead (a negative keep_alive)."""
    delta = time.time() - t
    if delta < 0 and int(-delta / 3600) // 24 // 365 > 20:  # Go truncates toward zero
        return "Forever"
    if delta < 0:
        return human_duration(-delta) + " from now"
    return human_duration(delta) + " ago"


def go_value(v):
    """Go's %v of a JSON-decoded value (float64 numbers use %g, shortest)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return v
    f = float(v)
    if f == 0:
        return "0"
    sign = "-" if f < 0 else ""
    digits, exp = repr(abs(f)).lower().partition("e")[::2]
    mant = digits.replace(".", "")
    point = digits.index(".") if "." in digits else len(digits)
    lead = len(mant) - len(mant.lstrip("0"))
    mant = mant.strip("0") or "0"
    x = point - lead - 1 + (int(exp) if exp else 0)
    if x < -4 or x >= 6:
        m = mant[0] + ("." + mant[1:] if len(mant) > 1 else "")
        return "%s%se%s%02d" % (sign, m, "-" if x < 0 else "+", abs(x))
    if x < 0:
        return sign + "0." + "0" * (-x - 1) + mant
    whole = mant[: x + 1].ljust(x + 1, "0")
    frac = mant[x + 1:]
    return sign + whole + ("." + frac if frac else "")


def go_quote(s):
    """strconv.Quote, as %#v prints strings."""
    out = ['"']
    for ch in s:
        c = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\a\b\f\n\r\t\v":
            out.append({"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
                        "\t": "\\t", "\v": "\\v"}[ch])
        elif c < 0x20 or c == 0x7f:
            out.append("\\x%02x" % c)
        elif not ch.isprintable():
            out.append("\\u%04x" % c if c < 0x10000 else "\\U%08x" % c)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def go_sharp_v(v):
    return go_quote(v) if isinstance(v, str) else go_value(v)


def wrap(text, limit):
    """tablewriter's WrapString: greedy word wrap of cells that contain spaces."""
    if len(text) <= limit or " " not in text:
        return [text]
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > limit:
            lines.append(line)
            line = word
        else:
            line = word if not line else line + " " + word
    lines.append(line)
    return lines


def table(rows, padding, header=None, col_width=30):
    """tablewriter v0.0.5 with NoWhiteSpace: every cell padded and followed by the
    padding; the last header cell followed by one space (§1.3)."""
    wrapped = [[wrap(c, col_width) for c in row] for row in rows]
    columns = max([len(r) for r in rows] + [len(header or [])] + [0])
    widths = [0] * columns
    for row in ([[[h] for h in header]] if header else []) + wrapped:
        for i, cell in enumerate(row):
            widths[i] = max([widths[i]] + [len(line) for line in cell])
    out = []
    if header:
        cells = [h.ljust(widths[i]) for i, h in enumerate(header)]
        out.append(padding.join(cells) + " ")
    for row in wrapped:
        height = max([len(c) for c in row] + [1])
        for y in range(height):
            out.append("".join((c[y] if y < len(c) else "").ljust(widths[i]) + padding
                               for i, c in enumerate(row)))
    return "".join(line + "\n" for line in out)


def now_rfc3339(t=None):
    """Go's time.Time JSON form (RFC 3339 with nanoseconds, trailing zeros dropped)."""
    t = time.time() if t is None else t
    whole = int(t)
    offset = time.localtime(min(whole, 2**31 - 1)).tm_gmtoff
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(min(whole + offset, 253402300799)))
    frac = ("%09d" % int((t - whole) * 1e9)).rstrip("0")
    zone = "Z" if offset == 0 else "%s%02d:%02d" % ("+" if offset > 0 else "-",
                                                    abs(offset) // 3600, abs(offset) % 3600 // 60)
    return stamp + ("." + frac if frac else "") + zone


def go_json(obj):
    """encoding/json.Marshal: compact, UTF-8 kept, <, > and & escaped as gin sends them,
    floats as Go writes them."""
    import json
    import os
    floats, nonce = [], os.urandom(6).hex()

    def mark(v):  # floats become placeholders, written back in Go's form below
        if isinstance(v, float):
            floats.append(go_json_float(v))
            return "\0%s%d\0" % (nonce, len(floats) - 1)
        if isinstance(v, dict):
            return {k: mark(x) for k, x in v.items()}
        if isinstance(v, list):
            return [mark(x) for x in v]
        return v

    text = json.dumps(mark(obj), ensure_ascii=False, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    for i, f in enumerate(floats):
        text = text.replace('"\\u0000%s%d\\u0000"' % (nonce, i), f, 1)
    return text


def go_json_float(f):
    """encoding/json's float: the shortest digits, positional unless the magnitude is below
    1e-6 or from 1e21 on, then as `1e-7` (encode.go floatEncoder)."""
    import decimal
    if f == 0 or 1e-6 <= abs(f) < 1e21:
        text = format(decimal.Decimal(repr(f)), "f")
        return text[:-2] if text.endswith(".0") else text
    mantissa, _, exp = repr(f).partition("e")
    return "%se%s%d" % (mantissa, "-" if exp.startswith("-") else "+", abs(int(exp)))
