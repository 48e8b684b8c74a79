/**
 * The SNS message attributes every alert carries, and the only ones subscriptions route on: the
 * publisher sets them, and the stack's filter policies and `fundwatch subscribe` filter on them.
 * One definition, because a rename on one side alone would deliver no email and fail no call.
 */
export const ALERT_MESSAGE_ATTRIBUTES = { topic: 'topic', mode: 'mode' } as const;
