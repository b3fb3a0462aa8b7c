import type { NeuronActivationStatsResult } from '../../../server/analyses/neuron-activation-stats.ts';
import { formatInteger, formatPercent } from '../format.ts';

function Bar({ fraction, tone }: { fraction: number; tone: 'dead' | 'sparse' }) {
  const clamped = Math.min(1, Math.max(0, fraction));
  return (
    <span className="bar" data-tone={tone} aria-hidden="true">
      <span className="bar-fill" style={{ width: `${clamped * 100}%` }} />
    </span>
  );
}

/** Per-layer dead neurons and sparsity as bars, the most selective neurons on demand. */
export function NeuronStatsView({ result }: { result: NeuronActivationStatsResult }) {
  const { totals } = result;
  return (
    <div className="neuron-stats">
      <p className="neuron-stats-summary">
        {result.layers.length} layers, {formatInteger(totals.neurons)} neurons, {formatInteger(totals.samples)} samples:{' '}
        <strong>
          {formatInteger(totals.dead)} dead neurons ({formatPercent(totals.neurons ? totals.dead / totals.neurons : 0)})
        </strong>
      </p>
      <table className="layer-table">
        <caption className="visually-hidden">Dead neurons and sparsity per layer</caption>
        <thead>
          <tr>
            <th scope="col">Layer</th>
            <th scope="col">Dead neurons</th>
            <th scope="col">Mean sparsity</th>
            <th scope="col">Mean activation</th>
          </tr>
        </thead>
        <tbody>
          {result.layers.map((layer) => {
            const dead = layer.neurons ? layer.deadCount / layer.neurons : 0;
            return (
              <tr key={layer.layer}>
                <th scope="row">{layer.layer + 1}</th>
                <td>
                  <Bar fraction={dead} tone="dead" />
                  <span className="bar-value">
                    {layer.deadCount} of {layer.neurons} ({formatPercent(dead)})
                  </span>
                </td>
                <td>
                  <Bar fraction={layer.meanSparsity} tone="sparse" />
                  <span className="bar-value">{formatPercent(layer.meanSparsity)}</span>
                </td>
                <td className="numeric">{layer.meanActivation.toFixed(3)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <details className="selective">
        <summary>Most selective neurons per layer</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Layer</th>
              <th scope="col">Neuron</th>
              <th scope="col">Selectivity</th>
              <th scope="col">Active on</th>
              <th scope="col">Strongest samples (activation)</th>
            </tr>
          </thead>
          <tbody>
            {result.layers.flatMap((layer) =>
              layer.mostSelective.map((neuron) => (
                <tr key={`${layer.layer}:${neuron.neuron}`}>
                  <td>{layer.layer + 1}</td>
                  <td className="numeric">{neuron.neuron}</td>
                  <td className="numeric">{neuron.selectivity.toFixed(3)}</td>
                  <td className="numeric">{formatPercent(neuron.fractionActive)}</td>
                  <td>{neuron.topSamples.map((top) => `#${top.sample} (${top.activation.toFixed(2)})`).join(', ')}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </details>
    </div>
  );
}
