import type {JobId} from '../../job/job-id.js'
import type {JobsFilter} from './jobs-view.js'

/** The screen's state besides the data: where the user is and what they chose. */
export interface DashUi {
  tab: 'queues' | 'nodes' | 'jobs'
  selected: {queues: number; nodes: number; jobs: number; fn: number}
  filter: JobsFilter
  marked: Set<JobId>
  /** The job open in the detail (Jobs tab). */
  jobId?: JobId
  detailScroll: number
  /** The node open in the detail (Nodes tab), `instance.node`. */
  nodeKey?: string
  help: boolean
}
