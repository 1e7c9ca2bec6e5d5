// The incident rules this server evaluates, from configuration: each rule's threshold or window, 0 turning it off.
import type { Config } from '../../../config.js';
import type { Rule } from '../engine.js';
import { activationAnomalyRule, type ProposeSuspension } from './activation-anomaly.js';
import { checkoutHeldLongRule } from './checkout-held-long.js';
import { featureExpiringRule } from './feature-expiring.js';
import { featureSaturatedRule } from './feature-saturated.js';
import { licenseExpiringRule } from './license-expiring.js';
import { serverDownRule } from './server-down.js';
import { webhookFailingRule } from './webhook-failing.js';

export const configuredRules = (
  settings: Config['incidents'],
  actions: { propose: ProposeSuspension },
): Rule[] =>
  [
    settings.anomalyFactor > 0 ? activationAnomalyRule(settings.anomalyFactor, actions.propose) : undefined,
    settings.serverDownPolls > 0 ? serverDownRule(settings.serverDownPolls) : undefined,
    settings.saturationMinutes > 0 ? featureSaturatedRule(settings.saturationMinutes) : undefined,
    settings.expiryDays > 0 ? licenseExpiringRule(settings.expiryDays) : undefined,
    settings.webhookFailures > 0 ? webhookFailingRule(settings.webhookFailures) : undefined,
    settings.featureExpiryDays > 0 ? featureExpiringRule(settings.featureExpiryDays) : undefined,
    settings.checkoutHours > 0 || Object.keys(settings.checkoutHoursByFeature).length > 0
      ? checkoutHeldLongRule(settings.checkoutHours, settings.checkoutHoursByFeature)
      : undefined,
  ].filter((rule): rule is Rule => rule !== undefined);
