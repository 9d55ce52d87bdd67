/**
 * The OpenAI Chat Completions wire model as JSON-B records: requests, streamed chunks,
 * completions, usage and logprobs, with the spec's snake_case member names.
 *
 * <p>These records describe the shapes the simulated model produces, and tests read. They live
 * with the simulator because nothing else uses them: the relay never re-serialises an upstream chunk through them: chunks travel as
 * the JSON text the upstream sent, and the aggregate is merged on the JSON tree, so members these
 * records do not name (provider extensions) survive end to end.
 */
package dev.chatws.simulator.entity;
