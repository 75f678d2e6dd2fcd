import type {JobId} from '../../job/job-id.js'
import {callPluginFunction, type PluginCallResult} from '../../control/client.js'
import {listNodes} from '../../control/nodes.js'
import type {Pool} from '../../db/pool.js'
import {getJob} from '../../engine/get-job.js'
import type {Job} from '../../job/job.js'
import type {NodePresence} from '../../cluster/presence-record.js'
import {sendQueueSignal} from '../../client/queue-control.js'
import {actOnJobs, type ActionPreview, type JobActionResult} from '../../operator/act-on-jobs.js'
import type {JobActionName} from '../../operator/bulk-actions.js'
import {jobsPage, type JobsPage, type JobsPageQuery} from '../../operator/jobs-page.js'
import {queueOverview, type QueueOverview} from '../../operator/queue-overview.js'
import {signalRecipients} from '../../operator/signal-recipients.js'
import {readStatus, type InstanceStatus} from '../../operator/status.js'
import {ThroughputTracker, type ThroughputSample} from '../../operator/throughput.js'
import type {QueueAction} from '../../queue/signals.js'

/** The queues tab's data: the overview, and the throughput history it feeds. */
export interface QueuesData {
  queues: QueueOverview[]
  history: readonly ThroughputSample[]
}

export interface NodesData {
  instances: InstanceStatus[]
  /** The presence rows, for the plugins' declared functions. */
  presence: NodePresence[]
}

/**
 * Everything the dash reads and does, over one pool of the dash's database: the library's
 * operator functions (queue overview, status, job pages, bulk actions), queue signals and plugin
 * calls. It holds no screen state; the app calls it.
 */
export class DashLoader {
  private readonly tracker: ThroughputTracker

  constructor(
    readonly pool: Pool,
    readonly options: {url: string; prefix: string; instance: string; location: string},
  ) {
    this.tracker = new ThroughputTracker(pool, options.prefix)
  }

  get prefix(): string {
    return this.options.prefix
  }

  /** The overview (three statements side by side) then the throughput reading (one statement). */
  async queues(): Promise<QueuesData> {
    const queues = await queueOverview(this.pool, this.prefix)
    await this.tracker.sample(queues)
    return {queues, history: [...this.tracker.history]}
  }

  async nodes(): Promise<NodesData> {
    const [{status}, presence] = await Promise.all([
      readStatus(this.pool, {prefix: this.prefix, location: this.options.location}),
      listNodes(this.pool, {prefix: this.prefix}),
    ])
    return {instances: status.instances, presence}
  }

  jobs(query: JobsPageQuery): Promise<JobsPage> {
    return jobsPage(this.pool, this.prefix, query)
  }

  job(id: JobId): Promise<Job | undefined> {
    return getJob(this.pool, this.prefix, id)
  }

  /** Sends a queue signal to every node running on the prefix; resolves with the nodes that run it. */
  async signal(action: QueueAction, queue: string, limit?: number): Promise<string[]> {
    const request = {queue, instance: this.options.instance, limit}
    const recipients = await signalRecipients(this.pool, this.prefix, {...request, action})
    await sendQueueSignal(this.pool, this.prefix, action, request)
    return recipients.nodes
  }

  /** A bulk action on explicit job ids, after `confirm` saw the counts by state. */
  act(
    action: JobActionName,
    ids: JobId[],
    confirm: (preview: ActionPreview) => Promise<boolean>,
  ): Promise<JobActionResult> {
    return actOnJobs({pool: this.pool, prefix: this.prefix, action, filter: {ids}, confirm})
  }

  callPlugin(call: {
    instance: string
    node: string
    plugin: string
    fn: string
    argv: string[]
  }): Promise<PluginCallResult> {
    return callPluginFunction(this.options.url, {...call, prefix: this.prefix, timeoutMs: 5_000})
  }
}
