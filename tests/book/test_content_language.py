"""The words a reader sees are Vietnamese, one term per concept, with decimal commas.

Covers the sections' prose and the reader-facing text inside their code cells:
comments, docstrings, printed labels and plot labels (titles, axis labels,
legend entries, text drawn on figures).
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass

import pytest

from bookbuild.notebook import cell_framework

from .test_content import SECTIONS, read
from .toc import ROOT

PAGES = ["intro", "install", "glossary", "computation/index", "cnn/index", *SECTIONS]

# English words that have no place in Vietnamese comments or labels. Words that are
# also Vietnamese without diacritics ("to", "in", "do", "an", "no", "con", "cho") are
# left out, and so are identifiers the book uses as names (weight, bias, kernel,
# gradient, epoch, tensor, minibatch, build, forward, call).
ENGLISH_WORDS = frozenset("""
    the of and or is are was were be been being with without for from by on at into onto
    that this these those it its there which what when where while if then than but
    as we our you your has have had does did not only every all each any some same
    after before again also always never still just very really here now
    number parameter parameters weights arrays array seen halvings layer layers hidden
    output input inputs outputs shape shapes create creates created creating copy copies
    copied return returns returned wait queued work device devices axis channel channels
    add adds added register registers registered registration order keeps keep follows
    list lists plain used use uses using but first second third model models calling
    called row rows column columns pixel pixels default defaults needed need needs new
    nothing found shifted shift edge detector fired right left grad std match equal
    equals zero restore object loss losses wrong correct training test accuracy
    reports report ordinary skip drop colour color terminal installed together requires
    require end format mode inference matters such variable variables load loaded save
    saved applied later known become becomes runs run running dummy early exist exists
    too tracks tracked appending works trains reach reaches optimizer optimiser
    returns scalar inner tracing draw draws matrix window corner rounded box title
    goes top total scalar knows about framework's frameworks' built-in op via
    cross-correlation correlation convolution multi-channel upscaled padded scaled
    nearest neighbour neighbor values value read file files directory compressed
    signature unsigned bytes dimensions dimension images labels array path inside
    otherwise name names exists per epoch's plot training/test sentence comparing
    measured times seconds main memory holding placed silently needed moves moved
    every asynchronously asynchronous well wait wherever queued transfer transfers
""".split())

LABEL_CALLS = frozenset({"print", "set_title", "set_xlabel", "set_ylabel", "xlabel", "ylabel",
                         "title", "suptitle", "text", "annotate", "legend"})
LABEL_KEYWORDS = frozenset({"label", "title"})
# Strings passed to those calls that are options, not words for the reader.
PLOT_OPTIONS = frozenset({"center", "bottom", "top", "left", "right", "bold", "upper left",
                          "upper right", "lower left", "lower right", "best", "gray", "black",
                          "red", "white", "monospace", "tab:blue", "tab:red", "tab:green"})


@dataclass(frozen=True)
class Text:
    kind: str   # "chú thích", "chuỗi mô tả", "nhãn"
    text: str


def strip_magics(source: str) -> str:
    """Replace IPython magics and shell escapes, which are not Python, by blank lines."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def reader_facing_texts(source: str) -> list[Text]:
    """Comments, docstrings and label strings of one code cell."""
    source = strip_magics(source)
    texts = [Text("chú thích", tok.string.lstrip("#").strip())
             for tok in tokenize.generate_tokens(io.StringIO(source).readline)
             if tok.type == tokenize.COMMENT]
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node)
            if doc:
                texts.append(Text("chuỗi mô tả", doc))
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        candidates = list(node.args) if name in LABEL_CALLS else []
        candidates += [kw.value for kw in node.keywords if kw.arg in LABEL_KEYWORDS]
        for candidate in candidates:
            for label in string_parts(candidate):
                if label.strip() not in PLOT_OPTIONS and not is_python_expression(label):
                    texts.append(Text("nhãn", label))
    return texts


def string_parts(node: ast.AST) -> list[str]:
    """The literal text of a string argument: a constant, f-string or concatenation
    (not the strings of calls nested inside it, such as padding='same')."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return string_parts(node.left) + string_parts(node.right)
    return []


def is_python_expression(label: str) -> bool:
    """Labels such as 'Z.to(Z.device) is Z:' print a piece of code, not prose."""
    text = label.strip().rstrip(":=").strip()
    if not re.search(r"[.(\[]", text):
        return False
    try:
        ast.parse(text, mode="eval")
    except SyntaxError:
        return False
    return True


def english_words(text: str) -> list[str]:
    """English words in text, ignoring code: `spans`, dotted names, identifiers, maths."""
    text = re.sub(r"`[^`]*`|\$[^$]*\$|\{[^}]*\}|'[^']*'|\"[^\"]*\"", " ", text)
    words = []
    for token in text.split():
        if re.search(r"[._()\[\]=/\\*<>]|\d", token.strip(",;:!?\"'")):
            continue  # an identifier, an expression, a path or a number
        word = token.strip(",;:!?\"'…-").lower()
        if word in ENGLISH_WORDS:
            words.append(word)
    return words


def test_detector_flags_english_and_accepts_vietnamese():
    source = (
        "# hidden layer\n"
        "def f(x):\n"
        "    \"\"\"Return the sum of x.\"\"\"\n"
        "    print('number of parameters:', x)\n"
        "    ax.set_title('Tương quan chéo trong MXNet')\n"
        "    return x  # tầng ẩn, hình dạng (2, 8); dùng `net.weight`\n"
    )
    flagged = [t.text for t in reader_facing_texts(source) if english_words(t.text)]
    assert flagged == ["hidden layer", "Return the sum of x.", "number of parameters:"]
    assert english_words("gradient theo out.bias") == []
    assert english_words("khởi tạo weight") == []
    assert english_words("in ra rồi cộng to nhỏ") == []


@pytest.mark.parametrize("docname", SECTIONS)
def test_code_cells_speak_vietnamese(docname):
    problems = []
    for number, cell in enumerate(read(docname).cells, 1):
        if cell.cell_type != "code":
            continue
        for text in reader_facing_texts(cell.source):
            found = english_words(text.text)
            if found:
                where = cell_framework(cell) or "dùng chung"
                problems.append(f"ô {number} ({where}), {text.kind}: {text.text!r} — {sorted(set(found))}")
    assert not problems, f"{docname}: chữ tiếng Anh trong mã:\n" + "\n".join(problems)


def prose(docname: str) -> str:
    """The page's Markdown without code cells, fenced code or inline code."""
    text = (ROOT / "book" / f"{docname}.md").read_text(encoding="utf-8")
    text = re.sub(r"```\{code-cell\}.*?\n```", "", text, flags=re.S)
    text = re.sub(r"```(?:bash|text|python|console)\n.*?\n```", "", text, flags=re.S)
    return re.sub(r"`[^`\n]*`", "", text)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


# Variants that the book replaced by the one term of the glossary.
WRONG_TERMS = {
    r"\bhàm tạo\b(?! ra)": "constructor là «hàm khởi tạo»",
    r"\bhàm dựng\b": "constructor là «hàm khởi tạo»",
    r"\btỉ lệ\b": "viết «tỷ lệ»",
    r"\blô\b": "batch là «minibatch»",
    r"gradient khác rỗng": "nói rõ: không phải None, không phải toàn số 0",
    r"\*\*bất biến tịnh tiến\*\*": "tầng tích chập có tính đẳng biến, không phải bất biến",
}


def code_sources(docname: str) -> list[str]:
    if docname not in SECTIONS:
        return []
    return [cell.source for cell in read(docname).cells if cell.cell_type == "code"]


@pytest.mark.parametrize("docname", PAGES)
def test_one_term_per_concept(docname):
    code_words = [t.text for source in code_sources(docname) for t in reader_facing_texts(source)]
    text = flat(prose(docname) + "\n" + "\n".join(code_words))
    found = [f"«{m.group(0)}»: {advice}" for pattern, advice in WRONG_TERMS.items()
             for m in re.finditer(pattern, text, re.I)]
    assert not found, f"{docname}: " + "; ".join(found)


@pytest.mark.parametrize("docname", SECTIONS)
def test_bias_is_glossed_at_first_use(docname):
    text = flat(prose(docname))
    match = re.search(r"hệ số điều chỉnh", text, re.I)
    if match is None:
        pytest.skip(f"{docname} không nói tới hệ số điều chỉnh")
    following = text[match.end():match.end() + 14]
    assert re.match(r"\**\s*\(\*bias\*\)", following), (
        f"{docname}: lần đầu «hệ số điều chỉnh» xuất hiện cần ghi kèm (*bias*), "
        f"nhưng theo sau là {following!r}")


# A version number (MXNet 1.9.1, Python 3.12, NumPy 1.24) keeps its dot.
VERSION_CONTEXT = re.compile(r"(Python|PyTorch|TensorFlow|MXNet|NumPy|Keras|JupyterLab|CUDA|"
                             r"nbgrader|Jupyter Book|phiên bản)[^.\d]{0,20}$")


def decimal_points(text: str) -> list[str]:
    """Numbers written with a decimal point, which Vietnamese prose writes with a comma."""
    found = []
    for line in text.splitlines():
        for match in re.finditer(r"(?<![\w.,{])\d+\.\d+(?![\w.])", line):
            if not VERSION_CONTEXT.search(line[:match.start()]):
                found.append(match.group(0))
    return found


def test_decimal_detector():
    assert decimal_points("tốc độ học $0.01$ và 0,5") == ["0.01"]
    assert decimal_points("MXNet 1.9.1, Python 3.12, NumPy từ 1.24, $0{,}07$") == []
    assert decimal_points("| JupyterLab | 4.6 |") == []


@pytest.mark.parametrize("docname", PAGES)
def test_prose_uses_decimal_commas(docname):
    found = decimal_points(flat(prose(docname)))
    assert not found, f"{docname}: số thập phân trong lời giảng phải dùng dấu phẩy: {found}"


@pytest.mark.parametrize("docname", SECTIONS)
def test_mxnet_forward_reads_parameters_on_the_input_context(docname):
    """Parameter.data() without a context returns the array of the default context,
    which breaks on a GPU (or with several contexts): forward must pass the input's."""
    problems = []
    for cell in read(docname).cells:
        if cell.cell_type != "code" or cell_framework(cell) != "mxnet":
            continue
        for node in ast.walk(ast.parse(strip_magics(cell.source))):
            if not (isinstance(node, ast.FunctionDef) and node.name in ("forward", "hybrid_forward")):
                continue
            for call in ast.walk(node):
                if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                        and call.func.attr == "data" and not call.args and not call.keywords):
                    problems.append(ast.unparse(call))
    assert not problems, f"{docname}: forward đọc tham số không kèm thiết bị: {problems}"
