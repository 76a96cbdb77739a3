export type Labels = Record<string, string>;

interface Sample {
  name: string;
  labels: Labels;
  value: number;
}

function parseLabels(text: string | undefined): Labels {
  return Object.fromEntries([...(text ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
}

/** The samples of Prometheus' text exposition format (comments skipped). */
export function parseMetrics(text: string): Sample[] {
  return text
    .split('\n')
    .map((line) => /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line))
    .filter((match) => match !== null)
    .map(([, name, labels, value]) => ({ name: name!, labels: parseLabels(labels), value: Number(value) }));
}

/** The value of the sample with this name whose labels include `labels`; 0 when there is none. */
export function sampleValue(samples: Sample[], name: string, labels: Labels = {}): number {
  const sample = samples.find(
    (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  );
  return sample?.value ?? 0;
}
