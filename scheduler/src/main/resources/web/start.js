// Tessera's web console: logging in and out, and finding out whether the token is an admin's
// (the nodes page then offers drain, undrain and accept). Loaded last.
"use strict";

async function whoAmI() {
  try {
    await T.api("/v1/cluster");
    T.admin = true;
  } catch (e) {
    T.admin = false;
  }
  document.getElementById("who").textContent = T.admin ? "admin" : "";
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("login-form").addEventListener("submit", async ev => {
    ev.preventDefault();
    sessionStorage.setItem(T.TOKEN_KEY, document.getElementById("token").value.trim());
    document.getElementById("token").value = "";
    document.getElementById("login-error").textContent = "";
    await whoAmI();
    T.render();
  });
  document.getElementById("logout").addEventListener("click", () => T.logout(""));
  window.addEventListener("hashchange", T.render);
  if (T.token()) whoAmI().then(T.render); else T.render();
});
