// Sign in and register, with labelled fields and errors said next to the form.
import { session } from './api.js';
import { alertNow, h, show } from './dom.js';
import { problemWords } from './words.js';

function field(id, label, attrs) {
  return h('p', { class: 'field' }, h('label', { for: id }, label), h('input', { id, name: id, required: true, ...attrs }));
}

export function mountAccount(main, { mode, returnTo }) {
  const registering = mode === 'register';
  const error = h('p', { class: 'error', id: 'form-error', 'aria-live': 'assertive' });
  const submit = h('button', { type: 'submit', class: 'primary' }, registering ? 'Create account' : 'Sign in');
  const form = h('form', { class: 'account', 'aria-describedby': 'form-error', novalidate: true },
    registering ? field('name', 'Your name', { type: 'text', autocomplete: 'name', maxlength: 100 }) : null,
    field('email', 'E-mail', { type: 'email', autocomplete: 'email', maxlength: 254 }),
    field('password', 'Password', { type: 'password', autocomplete: registering ? 'new-password' : 'current-password',
      minlength: registering ? 10 : undefined, 'aria-describedby': registering ? 'password-hint' : undefined }),
    registering ? h('p', { class: 'muted', id: 'password-hint' }, 'At least 10 characters.') : null,
    error, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const values = Object.fromEntries(new FormData(form));
    error.textContent = '';
    submit.disabled = true;
    try {
      if (registering) await session.register(values.email, values.password, values.name);
      else await session.signIn(values.email, values.password);
      alertNow(`Signed in as ${session.name}.`);
      location.hash = returnTo || '#/';
    } catch (err) {
      const fields = err.problem && err.problem.errors ? Object.values(err.problem.errors).map(String).join(' ') : '';
      // Registering answers alike for a new e-mail and one that has an account (the
      // owner is e-mailed instead): signing in right after fails only in the second case.
      error.textContent = err.status === 401 && registering
        ? 'We could not sign you in with that password. If this e-mail already has an account, we have sent it a message: sign in with its password instead.'
        : err.status === 401 ? 'That e-mail and password do not match an account.'
          : fields || problemWords(err);
    } finally {
      submit.disabled = false;
    }
  });
  const other = registering
    ? h('p', {}, 'Have an account? ', h('a', { href: `#/signin${returnTo ? `?to=${encodeURIComponent(returnTo)}` : ''}` }, 'Sign in'))
    : h('p', {}, 'New here? ', h('a', { href: `#/register${returnTo ? `?to=${encodeURIComponent(returnTo)}` : ''}` }, 'Create an account'));
  show(main, h('h1', { tabindex: '-1' }, registering ? 'Create an account' : 'Sign in'), form, other);
}
