// careloop inbox: the flow through the queue — keys on a mention's page, undo, bulk ticks, saved replies.
// Loaded after inbox.js (whose typing() it reuses). No inline script (CSP).
"use strict";

function pressKey(handlers) {
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event)) return;
    const handler = handlers[event.key];
    if (handler && handler() !== false) event.preventDefault();
  });
}

function setUpUndo() {
  // The Undo form shown after an approval: `u` presses it; once the window is over the button says so (the server
  // refuses it then anyway, with the reason).
  const form = document.getElementById("undo");
  if (!form) return;
  const until = Number(form.dataset.until) * 1000;
  const left = form.querySelector(".left");
  const tick = () => {
    const seconds = Math.max(0, Math.ceil((until - Date.now()) / 1000));
    if (left) left.textContent = String(seconds);
    if (seconds === 0) {
      form.querySelector("button").disabled = true;
      form.title = "too late: the reply is with the publisher";
      return;
    }
    setTimeout(tick, 250);
  };
  tick();
  pressKey({ u: () => { if (form.querySelector("button").disabled) return false; form.requestSubmit(); } });
}

function focusField(id) {
  const field = document.getElementById(id);
  if (!field) return false;
  field.scrollIntoView({ block: "center" });
  field.focus();
}

function setUpMentionKeys() {
  if (!document.getElementById("mention-help")) return;
  const follow = (id) => () => {
    const link = document.getElementById(id);
    if (!link) return false;
    window.location.href = link.href;
  };
  pressKey({
    j: follow("next-item"),
    k: follow("previous-item"),
    a: () => {
      const approve = document.getElementById("approve");
      if (!approve) return false;
      if (approve.disabled) return focusField("edit-approve");  // edited: the agent confirms the edit with Enter
      approve.click();
    },
    r: () => focusField("reject-reason"),
    e: () => focusField("escalate-team"),
    n: () => focusField("no-reply-reason"),
    s: () => { const open = document.getElementById("open-saved-replies"); if (!open) return false; open.click(); },
    "?": () => { const help = document.getElementById("mention-help"); help.open = !help.open; },
  });
  // Escape leaves a text field, so the keys above work again.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && typing(event) && !event.target.closest("dialog")) event.target.blur();
  });
}

function setUpSavedReplies() {
  const dialog = document.getElementById("saved-replies");
  const open = document.getElementById("open-saved-replies");
  const text = document.getElementById("reply-text");
  if (!dialog || !open || !text) return;
  const filter = document.getElementById("saved-filter");
  const choices = Array.from(dialog.querySelectorAll("button.saved-reply"));
  const visible = () => choices.filter((choice) => !choice.parentElement.hidden);
  // Where the cursor was in the reply when the picker opened (focus moves to the picker's filter); the end of the
  // text if the agent never put the cursor in it.
  let touched = false, start = 0, end = 0;
  text.addEventListener("focus", () => { touched = true; });
  open.addEventListener("click", () => {
    start = touched ? text.selectionStart : text.value.length;
    end = touched ? text.selectionEnd : text.value.length;
    filter.value = "";
    choices.forEach((choice) => { choice.parentElement.hidden = false; });
    dialog.showModal();
    filter.focus();
  });
  filter.addEventListener("input", () => {
    const words = filter.value.toLowerCase().trim();
    choices.forEach((choice) => { choice.parentElement.hidden = !choice.dataset.title.includes(words); });
  });
  const insert = (choice) => {
    // setRangeText inserts characters, never markup: a saved reply is text like any other.
    text.setRangeText(choice.dataset.text, start, end, "end");
    dialog.close();
    text.focus();
    text.dispatchEvent(new Event("input", { bubbles: true }));  // the edit guard of inbox.js sees the change
  };
  choices.forEach((choice) => choice.addEventListener("click", () => insert(choice)));
  filter.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const first = visible()[0];
    if (first) insert(first);
  });
  document.getElementById("close-saved-replies").addEventListener("click", () => dialog.close());
}

function setUpBulk() {
  const form = document.getElementById("bulk");
  if (!form) return;
  const picks = Array.from(document.querySelectorAll("input.pick"));
  const all = document.getElementById("pick-all");
  const apply = document.getElementById("bulk-apply");
  const count = () => {
    const ticked = picks.filter((pick) => pick.checked).length;
    apply.textContent = ticked ? `Apply to ${ticked} ticked…` : "Apply to ticked…";
    apply.disabled = ticked === 0;
    if (all) all.checked = ticked > 0 && ticked === picks.length;
  };
  picks.forEach((pick) => pick.addEventListener("change", count));
  if (all) all.addEventListener("change", () => { picks.forEach((pick) => { pick.checked = all.checked; }); count(); });
  // Only the fields of the chosen action are shown.
  const decision = document.getElementById("bulk-decision");
  const show = () => form.querySelectorAll(".for-no_reply, .for-escalate").forEach((field) => {
    field.hidden = !field.classList.contains(`for-${decision.value}`);
  });
  decision.addEventListener("change", show);
  show();
  count();
  pressKey({
    x: () => {
      const row = document.querySelector("tr.row.selected");
      const pick = row && row.querySelector("input.pick");
      if (!pick) return false;
      pick.checked = !pick.checked;
      count();
    },
  });
}

document.addEventListener("DOMContentLoaded", () => {
  setUpUndo();
  setUpMentionKeys();
  setUpSavedReplies();
  setUpBulk();
});
