// A link on every page to the same page in the book's other language (English <-> 中文): the
// Chinese edition is built into zh/ under the English one, page for page (scripts/zh_book.py).
document.addEventListener("DOMContentLoaded", () => {
  const html = document.documentElement;
  const root = new URL(html.dataset.content_root || "./", window.location.href);
  const page = window.location.href.split("#")[0].slice(root.href.length);
  const zh = (html.lang || "").toLowerCase().startsWith("zh");
  const link = document.createElement("a");
  link.href = new URL((zh ? "../" : "zh/") + page, root).href;
  link.className = "language-switch btn btn-sm";
  link.lang = zh ? "en" : "zh-CN";
  link.textContent = zh ? "English" : "中文";
  link.title = zh ? "Read this page in English" : "阅读本页的中文版";
  const slot = document.querySelector(".article-header-buttons") || document.querySelector("article");
  if (slot) slot.prepend(link);
});
