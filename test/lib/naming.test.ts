import assert from 'node:assert/strict';
import { defaultShortName, locationNames, nameInWords, nameSpellings, renamer, snakeFromKebab } from '../../lib/naming.js';

describe('naming', () => {
  describe("locationNames: the guide's naming table", () => {
    const names = locationNames('network_analytics', 'analytics');

    // | Concept | Convention | Example |
    const table: Array<[string, string, string]> = [
      ['Package directory', `${names.packageDir}/`, 'src/network_analytics/'],
      ['Python package name', names.snake, 'network_analytics'],
      ['PyPI/pyproject name', names.kebab, 'network-analytics'],
      ['Docker image', names.image, 'dagster-network-analytics'],
      ['Dockerfile', names.dockerfile, 'Dockerfile.network.analytics'],
      ['ClickHouse database', names.database, 'network_analytics'],
      ['Workspace key', names.short, 'analytics'],
      ['Docker Swarm service', names.service, 'network_analytics'],
      ['Build tag variable', names.buildTagVariable, 'DAGSTER_BUILD_TAG_ANALYTICS'],
    ];
    for (const [concept, actual, example] of table) {
      it(`${concept}: ${example}`, () => assert.equal(actual, example));
    }

    it('the other names the guide derives: deployment variable, env template, pipeline anchors, dotted name', () => {
      assert.equal(names.serviceImageVariable, 'SERVICE_IMAGE_NAME_ANALYTICS');
      assert.equal(names.envTemplate, 'environments/network_analytics.env.template');
      assert.equal(names.buildPushAnchor, 'build-push-network_analytics');
      assert.equal(names.deployAnchor, 'deploy-network_analytics');
      assert.equal(names.dotted, 'network.analytics');
      assert.equal(names.upper, 'ANALYTICS');
    });

    it("the guide's existing locations come out as their files name them", () => {
      const underwriting = locationNames('underwriting_ml', 'underwriting');
      assert.equal(underwriting.dockerfile, 'Dockerfile.underwriting.ml');
      assert.equal(underwriting.image, 'dagster-underwriting-ml');
      assert.equal(underwriting.buildTagVariable, 'DAGSTER_BUILD_TAG_UNDERWRITING');
      const wholesale = locationNames('vanguard_wholesale', 'wholesale');
      assert.equal(wholesale.kebab, 'vanguard-wholesale');
      assert.equal(wholesale.serviceImageVariable, 'SERVICE_IMAGE_NAME_WHOLESALE');
    });

    it('a one-word name has the same snake, kebab and dotted forms', () => {
      const one = locationNames('pricing', 'pricing');
      assert.deepEqual([one.kebab, one.dotted, one.image, one.dockerfile], ['pricing', 'pricing', 'dagster-pricing', 'Dockerfile.pricing']);
    });

    it('snakeFromKebab turns a PyPI name back into its import name', () => {
      assert.equal(snakeFromKebab('network-analytics'), 'network_analytics');
      assert.equal(snakeFromKebab('Scikit-Learn'), 'scikit_learn');
      assert.equal(snakeFromKebab('zope.interface'), 'zope_interface');
    });
  });

  describe('nameSpellings and nameInWords', () => {
    it('spells the name every way a file or a sentence joins its words, and the short name', () => {
      assert.deepEqual(nameSpellings(locationNames('underwriting_ml', 'underwriting')), ['underwriting_ml', 'underwriting-ml', 'underwriting.ml', 'underwriting ml', 'underwritingml', 'underwriting']);
      assert.deepEqual(nameSpellings(locationNames('shared', 'shared')), ['shared']);
    });

    it('writes the package name in words, sentence case (the default description)', () => {
      assert.equal(nameInWords('network_analytics'), 'Network analytics');
      assert.equal(nameInWords('underwriting_ml'), 'Underwriting ml');
      assert.equal(nameInWords('ledger'), 'Ledger');
    });
  });

  describe('defaultShortName', () => {
    it("reproduces the guide's choices: the longest word", () => {
      assert.equal(defaultShortName('network_analytics'), 'analytics');
      assert.equal(defaultShortName('vanguard_wholesale'), 'wholesale');
      assert.equal(defaultShortName('underwriting_ml'), 'underwriting');
    });

    it('the last word on a tie; a one-word name is its own short name', () => {
      assert.equal(defaultShortName('fraud_alerts'), 'alerts');
      assert.equal(defaultShortName('pricing'), 'pricing');
    });

    it('a taken short name falls back to the package name', () => {
      assert.equal(defaultShortName('network_analytics', ['wholesale', 'analytics']), 'network_analytics');
    });

    it('skips words that are not valid short names: keywords, leading digits', () => {
      assert.equal(defaultShortName('data_import'), 'data');
      assert.equal(defaultShortName('ab_2024q1'), 'ab');
      assert.equal(defaultShortName('x_1234567'), 'x');
    });
  });

  describe('renamer', () => {
    const from = locationNames('underwriting_ml', 'underwriting');
    const to = locationNames('network_analytics', 'analytics');
    const rename = renamer(from, to, { from: 4001, to: 4002 });

    it('renames every variant, longest first (underwriting_ml wins over underwriting)', () => {
      assert.equal(
        rename.apply('src/underwriting_ml underwriting-ml Dockerfile.underwriting.ml UNDERWRITING_ML dagster-underwriting-ml DAGSTER_BUILD_TAG_UNDERWRITING $SERVICE_IMAGE_NAME_UNDERWRITING # underwriting'),
        'src/network_analytics network-analytics Dockerfile.network.analytics NETWORK_ANALYTICS dagster-network-analytics DAGSTER_BUILD_TAG_ANALYTICS $SERVICE_IMAGE_NAME_ANALYTICS # analytics',
      );
      assert.deepEqual(rename.pairs.map(([a]) => a), ['underwriting_ml', 'underwriting-ml', 'underwriting.ml', 'UNDERWRITING_ML', 'UNDERWRITING-ML', 'UNDERWRITING', 'underwriting', '4001']);
    });

    it('matches whole tokens only: letters or digits around a name keep it', () => {
      assert.equal(rename.apply('underwritings xunderwriting underwriting2 &build-push-underwriting_ml build-tags/underwriting_ml.env'), 'underwritings xunderwriting underwriting2 &build-push-network_analytics build-tags/network_analytics.env');
    });

    it('renames the port as a whole number only', () => {
      assert.equal(rename.apply('"4001:4001" -p 4001 EXPOSE 4001/tcp :4001 port 4001.'), '"4002:4002" -p 4002 EXPOSE 4002/tcp :4002 port 4002.');
      assert.equal(rename.apply('14001 40010 4001.5 0.4001 v1.4001 4001a'), '14001 40010 4001.5 0.4001 v1.4001 4001a');
    });

    it('one pass: replaced text is not replaced again', () => {
      const grow = renamer(locationNames('ml', 'ml'), locationNames('ml_ops', 'ops'));
      assert.equal(grow.apply('ml ML ml_x'), 'ml_ops ML_OPS ml_ops_x');
      const swap = renamer(locationNames('a_b', 'b'), locationNames('b_a', 'a'));
      assert.equal(swap.apply('a_b b a'), 'b_a a a');
    });

    it('without ports, numbers stay', () => {
      assert.equal(renamer(from, to).apply('underwriting_ml 4001'), 'network_analytics 4001');
    });
  });
});
