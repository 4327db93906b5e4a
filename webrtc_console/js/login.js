// The sign-in form: organisation, user number, password.
import { api } from './api.js';

const form = document.getElementById('login-form');
const error = document.getElementById('login-error');
const params = new URLSearchParams(window.location.search);
if (params.get('error')) { error.textContent = params.get('error'); error.hidden = false; }

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  const data = Object.fromEntries(new FormData(form).entries());
  data.next = params.get('next') || '';
  try {
    const signedIn = await api('/api/login', { method: 'POST', body: data });
    window.location.href = signedIn.next; // the server allows only this console's own pages
  } catch (e) {
    error.textContent = e.message;
    error.hidden = false;
  }
});

// A one-time link (/login/link#<token>): the token never reaches a server log; it is spent
// only when the person presses the button (a POST), not when a mail scanner opens the link.
if (window.location.pathname === '/login/link') {
  const token = window.location.hash.slice(1);
  history.replaceState(null, '', '/login/link');
  form.hidden = true;
  const use = document.getElementById('use-link');
  use.hidden = false;
  use.onclick = async () => {
    use.disabled = true;
    try {
      const signedIn = await api('/api/login/link', { method: 'POST', body: { token } });
      window.location.href = signedIn.next;
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
      form.hidden = false;
      use.hidden = true;
    }
  };
}
