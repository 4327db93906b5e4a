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
  try {
    await api('/api/login', { method: 'POST', body: data });
    const next = params.get('next');
    window.location.href = next && next.startsWith('/') && !next.startsWith('//') ? next : '/console';
  } catch (e) {
    error.textContent = e.message;
    error.hidden = false;
  }
});
