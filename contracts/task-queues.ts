/** Default task queues of the worker pools; deployments may rename them (MLOPS_*_TASK_QUEUE). */
export const CPU_TASK_QUEUE = 'mlops-cpu';
export const GPU_TASK_QUEUE = 'mlops-gpu';

/** Which queues a workflow routes its activities to; passed in its input because workflows read no config. */
export interface TaskQueues {
  readonly cpu: string;
  readonly gpu: string;
}

export const defaultTaskQueues: TaskQueues = { cpu: CPU_TASK_QUEUE, gpu: GPU_TASK_QUEUE };
