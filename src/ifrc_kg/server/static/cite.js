// "Cite this figure": copy the citation text next to a button[data-copy] to the clipboard.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const text = document.getElementById(button.dataset.copy).textContent.trim();
  const done = () => { button.textContent = "Copied"; };
  const failed = () => { button.textContent = "Select the text to copy it"; };
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(text).then(done, failed);
  } else {
    failed();
  }
});
