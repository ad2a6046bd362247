/**
 * `.gitignore` (phase 7): real env files hold secrets, so `<environments>/*.env` is ignored; the
 * templates must stay committed. The rule is shared by every location: its footprint is empty,
 * and removing a location leaves the file alone.
 */
import { addGitignoreRule, gitignoreIgnores } from '../../generators/env/files.js';
import { auditedLocations } from './common.js';
import type { Registry } from './registry.js';

export const GITIGNORE_COMMENT = 'Real env files hold secrets; only templates are committed';

export const gitignoreRegistry: Registry = {
  id: 'gitignore',
  phase: 'env',
  files: () => ['.gitignore'],
  footprint: () => [],

  add(text, _file, input) {
    const dir = input.model.conventions.files.environments;
    const real = `${dir}/${input.target.names.snake}.env`;
    const template = `${real}.template`;
    let result = text ?? `# ${GITIGNORE_COMMENT}\n${dir}/*.env\n`;
    if (!gitignoreIgnores(result, real)) result = addGitignoreRule(result, `${dir}/*.env`, GITIGNORE_COMMENT);
    const warnings = gitignoreIgnores(result, template) ? [`.gitignore ignores ${template}: add \`!${dir}/*.env.template\` so the template is committed`] : [];
    return { text: result, warnings, leftOut: [] };
  },

  audit(text, file, input) {
    const dir = input.model.conventions.files.environments;
    return auditedLocations(input)
      .filter((l) => !gitignoreIgnores(text ?? '', `${dir}/${l.names.snake}.env`))
      .map((l) => ({
        registry: 'gitignore',
        file,
        location: l.names.snake,
        problem: `${dir}/${l.names.snake}.env (the real env file, with secrets) is not ignored by git`,
        fix: `add ${dir}/*.env to .gitignore (dagster-location env ${l.names.snake}, or doctor --fix)`,
        fixable: true,
      }));
  },

  remove: (text) => text,
};
