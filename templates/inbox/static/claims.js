// careloop inbox: keeps this agent's claim on the open mention alive (inbox/claims.py), one ping a minute; the claim
// lasts 5 minutes, so a closed tab frees the item within 5. When someone took it over, say so at once.
"use strict";

const CLAIM_PING_MS = 60 * 1000;

function setUpClaim() {
  const box = document.getElementById("claim");
  if (!box) return;
  const ping = async () => {
    if (document.hidden) return;  // a tab in the background does not hold an item others could answer
    const body = new URLSearchParams({ csrf_token: box.dataset.csrf });
    let answer;
    try {
      const response = await fetch(`/mentions/${box.dataset.mention}/claim`, { method: "POST", body, credentials: "same-origin" });
      if (!response.ok) return;
      answer = await response.json();
    } catch (error) {
      return;  // offline for a moment: the next ping tries again
    }
    if (!answer.mine && answer.holder && !document.getElementById("claim-holder")) {
      const note = document.createElement("p");
      note.className = "flash error";
      note.setAttribute("role", "status");
      note.textContent = `${answer.holder} took this over. Reload to see their decision or to take it back.`;
      box.appendChild(note);
    }
  };
  setInterval(ping, CLAIM_PING_MS);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) ping(); });
}

document.addEventListener("DOMContentLoaded", setUpClaim);
