// Kowri's pay options (listPayOptions, getInvoice's payOptions) and how each provider is paid on
// posgate's channels: mobile money and the bank debit are asynchronous (a prompt the wallet or bank
// holder approves), Slydepay is a wallet app, and CARD redirects to posgate's pay page.
import type { Channel, ChannelChoice } from '../../app/ports/connector.js';
import { DomainError } from '../../core/errors.js';
import { plainDecimal } from './amounts.js';

export const PROVIDERS = ['MTN_MONEY', 'VODAFONE_CASH', 'AIRTELTIGO_MONEY', 'SLYDEPAY', 'STANBIC_BANK', 'CARD'] as const;
export type Provider = (typeof PROVIDERS)[number];

export type FlowType = 'PROMPT' | 'QR_CODE' | 'DEBIT' | 'REDIRECT';

interface PayOption {
  name: string;
  /** What the option is, for the patron (Kowri's `description`). */
  description: string;
  provider: Provider;
  type: 'MOBILE_MONEY' | 'BANK' | 'CARD';
  /** What walletRef must look like (null: no walletRef, CARD). */
  refRegex: string | null;
  walletRef: string;
  /** What the patron should know before paying (Kowri's `preAuthNotice`; null: nothing). */
  preAuthNotice: string | null;
  authNotice: string;
  flowType: FlowType;
  /** Pesewas. */
  minAmount: number;
  maxAmount: number;
}

// Ghana's numbers: 0 or 233, then the network's prefix and 7 digits
const GHANA = (prefixes: string) => `^(?:0|233|\\+233)(?:${prefixes})\\d{7}$`;

export const PAY_OPTIONS: readonly PayOption[] = [
  { name: 'MTN Mobile Money', description: 'MTN Mobile Money', provider: 'MTN_MONEY', type: 'MOBILE_MONEY', refRegex: GHANA('24|25|53|54|55|59'), walletRef: 'MSISDN', preAuthNotice: 'Make sure your MTN MoMo wallet holds the amount: a prompt cannot be approved without enough funds.', authNotice: 'Approve the prompt on your phone with your MoMo PIN.', flowType: 'PROMPT', minAmount: 100, maxAmount: 1_000_000 },
  { name: 'Vodafone Cash', description: 'Vodafone Cash', provider: 'VODAFONE_CASH', type: 'MOBILE_MONEY', refRegex: GHANA('20|50'), walletRef: 'MSISDN', preAuthNotice: 'Make sure your Vodafone Cash wallet holds the amount: a prompt cannot be approved without enough funds.', authNotice: 'Approve the prompt on your phone with your Vodafone Cash PIN.', flowType: 'PROMPT', minAmount: 100, maxAmount: 1_000_000 },
  { name: 'AirtelTigo Money', description: 'AirtelTigo Money', provider: 'AIRTELTIGO_MONEY', type: 'MOBILE_MONEY', refRegex: GHANA('26|27|56|57'), walletRef: 'MSISDN', preAuthNotice: 'Make sure your AirtelTigo Money wallet holds the amount: a prompt cannot be approved without enough funds.', authNotice: 'Approve the prompt on your phone with your AirtelTigo Money PIN.', flowType: 'PROMPT', minAmount: 100, maxAmount: 1_000_000 },
  { name: 'Slydepay', description: 'Slydepay wallet app', provider: 'SLYDEPAY', type: 'MOBILE_MONEY', refRegex: GHANA('\\d{2}'), walletRef: 'MSISDN', preAuthNotice: 'The payment is sent to your Slydepay app, where you approve it.', authNotice: 'Approve the payment in the Slydepay app.', flowType: 'QR_CODE', minAmount: 100, maxAmount: 2_000_000 },
  { name: 'Stanbic Bank', description: 'Direct debit of a Stanbic Bank account', provider: 'STANBIC_BANK', type: 'BANK', refRegex: '^\\d{13}$', walletRef: 'ACCOUNT_NUMBER', preAuthNotice: null, authNotice: 'Authorize the debit when your bank asks you.', flowType: 'DEBIT', minAmount: 100, maxAmount: 10_000_000 },
  { name: 'Card', description: 'Visa or Mastercard credit or debit card, on a secure card page', provider: 'CARD', type: 'CARD', refRegex: null, walletRef: '', preAuthNotice: null, authNotice: 'Enter your card details on the secure page.', flowType: 'REDIRECT', minAmount: 100, maxAmount: 10_000_000 },
];

export function optionOf(provider: Provider): PayOption {
  return PAY_OPTIONS.find((option) => option.provider === provider) as PayOption;
}

const MOBILE_NETWORKS: Partial<Record<Provider, ChannelChoice['provider']>> = { MTN_MONEY: 'MTN', VODAFONE_CASH: 'VODAFONE', AIRTELTIGO_MONEY: 'AIRTELTIGO' };

/** The posgate channel a provider pays on, with the wallet it prompts; a walletRef that does not fit is refused. */
export function channelChoiceOf(provider: Provider, walletRef: string | null, amount: number): ChannelChoice {
  const option = optionOf(provider);
  if (amount < option.minAmount || amount > option.maxAmount)
    throw new DomainError('amount_invalid', `${option.name} takes from ${plainDecimal(option.minAmount)} to ${plainDecimal(option.maxAmount)} GHS.`, 'amount');
  if (option.refRegex !== null && (walletRef === null || !new RegExp(option.refRegex).test(walletRef)))
    throw new DomainError('parameter_invalid', `walletRef: ${option.name} needs a ${option.walletRef === 'MSISDN' ? 'wallet number' : 'account number'} matching ${option.refRegex}.`, 'walletRef');
  const network = MOBILE_NETWORKS[provider];
  if (network) return { channel: 'mobile_money', provider: network, phone: walletRef as string };
  return { channel: channelOf(provider) };
}

/** The posgate channel a provider's payments are made on. */
export function channelOf(provider: string): Channel {
  if (Object.hasOwn(MOBILE_NETWORKS, provider)) return 'mobile_money';
  if (provider === 'SLYDEPAY') return 'wallet';
  if (provider === 'STANBIC_BANK') return 'bank_transfer';
  return 'card';
}

/** The name a callback's paymentChannel shows ("MTN Mobile Money"), from the provider or posgate's channel. */
export function channelName(provider: string | null, method: string | null): string | null {
  const option = PAY_OPTIONS.find((o) => o.provider === provider);
  if (option) return option.name;
  const byMethod: Record<string, string> = { mobile_money: 'Mobile Money', card: 'Card', bank_transfer: 'Bank', wallet: 'Wallet', crypto: 'Crypto' };
  return method ? (byMethod[method] ?? method) : null;
}
