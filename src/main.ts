// Entry point: creates the Lab (which owns the training worker) and the page's settings, then mounts the app.
import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { Lab } from './app/runs.svelte.ts';
import { hasSettings, readLink } from './app/url.ts';
import { Page } from './ui/page.svelte.ts';
import { Settings } from './ui/settings.svelte.ts';

const lab = new Lab(() => new Worker(new URL('./worker/train.worker.ts', import.meta.url), { type: 'module' }));
const link = readLink(location.search);
const settings = new Settings(link.settings, link.ignored);
const page = new Page(lab, settings, hasSettings(location.search));

mount(App, { target: document.getElementById('app')!, props: { page } });
void page.boot();

// the page's state, for the console and for end-to-end tests
Object.assign(window, { kxy: page });
