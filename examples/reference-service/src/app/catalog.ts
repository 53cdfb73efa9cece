/** A product the service sells. */
export interface Product {
  readonly sku: string;
  readonly name: string;
  readonly unitPriceCents: number;
}

/** The public catalogue (the inventory service holds the stock of the same SKUs). */
export const CATALOG: readonly Product[] = [
  { sku: 'SKU-1001', name: 'Pager, waterproof', unitPriceCents: 4_900 },
  { sku: 'SKU-1002', name: 'Runbook binder', unitPriceCents: 1_500 },
  { sku: 'SKU-1003', name: 'Error budget hourglass', unitPriceCents: 2_900 },
  { sku: 'SKU-1004', name: 'Incident commander vest', unitPriceCents: 3_500 },
  { sku: 'SKU-1005', name: 'Coffee, on-call blend', unitPriceCents: 1_200 },
];

export function findProduct(sku: string): Product | undefined {
  return CATALOG.find((p) => p.sku === sku);
}
