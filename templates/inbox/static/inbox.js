// careloop inbox: queue keyboard shortcuts, copy-and-open for manual replies, edit guard. No inline script (CSP).
"use strict";

function typing(event) {
  const tag = event.target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || event.target.isContentEditable;
}

function setUpQueue() {
  const rows = Array.from(document.querySelectorAll("tr.row"));
  let current = -1;
  const select = (index) => {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach((row, i) => row.classList.toggle("selected", i === current));
    rows[current].scrollIntoView({ block: "nearest" });
  };
  const selected = () => rows[current];
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    const row = selected();
    switch (event.key) {
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "o": case "Enter": if (row) window.location.href = row.dataset.href; break;
      case "a": { const form = row && row.querySelector("form.approve"); if (form) form.requestSubmit(); break; }
      case "r": if (row) window.location.href = row.dataset.href + "#reject-reason"; break;
      case "e": if (row) window.location.href = row.dataset.href + "#escalate-team"; break;
      case "n": { const form = row && row.querySelector("form.not-about"); if (form) form.requestSubmit(); break; }
      case "/": { const first = document.querySelector("#filters select"); if (first) first.focus(); break; }
      case "?": { const help = document.getElementById("help"); if (help) help.open = !help.open; break; }
      default: return;
    }
    event.preventDefault();
  });
}

function setUpMention() {
  // Arriving by the r / e shortcuts (#reject-reason, #escalate-team): put the cursor where the agent types next.
  // On "load", because Chrome moves focus for the fragment after DOMContentLoaded.
  window.addEventListener("load", () => {
    const target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    if (target && target.tagName === "INPUT") target.focus();
  });

  // Once the text is edited, plain "Approve" would drop the edit: only "Edit & approve" stays.
  const text = document.querySelector("form.editor textarea");
  const approve = document.getElementById("approve");
  if (text && approve) {
    // The draft as drafted: the editor may open with the agent's refused edit instead (see inbox/pages.py).
    const original = text.dataset.original;
    const guard = () => {
      approve.disabled = text.value !== original;
      approve.title = approve.disabled ? "You changed the text: use Edit & approve" : "";
    };
    text.addEventListener("input", guard);
    guard();
  }
}

// Copy a reply to post by hand (and open where it goes): the mention page's button and each "to post by hand" row.
function setUpCopying() {
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", async () => {
      const reply = document.getElementById(button.dataset.copy);
      try {
        await navigator.clipboard.writeText(reply.value);
      } catch (error) {
        reply.hidden = false;
        reply.select();
        document.execCommand("copy");
      }
      if (button.dataset.open) window.open(button.dataset.open, "_blank", "noopener,noreferrer");
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  if (document.getElementById("filters")) setUpQueue();
  setUpMention();
  setUpCopying();
});
