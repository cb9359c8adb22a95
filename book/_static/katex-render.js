/* Typeset the page's maths with KaTeX (bundled in _static/katex/). Sphinx writes
   the TeX between \( \) in <span class="math"> and between \[ \] in <div class="math">
   (after the equation number, if any). Loaded with `defer` after katex.min.js,
   only on pages that have maths; a formula KaTeX cannot read stays as TeX. */
(() => {
  const delimiters = [["\\(", "\\)", false], ["\\[", "\\]", true]];
  for (const element of document.querySelectorAll(".math")) {
    const texts = [...element.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE);
    const source = texts.map((node) => node.textContent).join("").trim();
    const delimiter = delimiters.find(([open, close]) => source.startsWith(open) && source.endsWith(close));
    if (!delimiter) continue;
    const [open, close, displayMode] = delimiter;
    const target = document.createElement("span");
    try {
      katex.render(source.slice(open.length, -close.length), target, { displayMode, throwOnError: true });
    } catch (error) {
      console.warn("KaTeX:", error.message);
      continue;
    }
    texts.forEach((node) => node.remove());
    element.appendChild(target);
  }
})();
