// Svelte compiler options for vite-plugin-svelte and svelte-check. Runes everywhere.
export default {
  compilerOptions: { runes: true },
};
