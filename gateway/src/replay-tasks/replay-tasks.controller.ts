import { Controller, Get, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { ReplayTask, ReplayTaskList, ReplayTaskPreview, ReplayTaskRequest } from '../../../contracts/src/message.types';
import type { ReplayTaskAction } from '../../../core/replay-tasks/domain/replay-task';
import { ControlReplayTask } from '../../../core/replay-tasks/use-cases/control-replay-task';
import { CreateReplayTask } from '../../../core/replay-tasks/use-cases/create-replay-task';
import { RunOnce } from '../../../core/idempotency/use-cases/run-once';
import { DomainError } from '../../../core/shared/errors';
import { isUuid } from '../../../core/shared/uuid';
import { CurrentPrincipal, Can, type Principal } from '../auth';
import { ApiMessageResponse } from '../docs/message-schemas';
import { ApiProblemResponse } from '../docs/problem.schema';
import { answerOnce, IdempotencyKeyGuard } from '../http/idempotency-key';
import { ValidBody } from '../http/valid-body';
import { replayPreviewView, replayTaskView } from './replay-task.view';

const BODY = 'Every field optional: `{}` puts back every parked transaction, 50 at a time, 10 per second';

/**
 * Bulk replay as a task (like OpenHIM's re-runs): create (with a dry run first), watch, pause,
 * resume, cancel. The worker runs it; these routes only steer it. Every step is audited.
 */
@ApiTags('replay tasks')
@ApiBearerAuth()
@Controller('v1/replay-tasks')
export class ReplayTasksController {
  constructor(
    private readonly create: CreateReplayTask,
    private readonly control: ControlReplayTask,
    private readonly runOnce: RunOnce,
  ) {}

  @Post('dry-run')
  @HttpCode(200)
  @Can('replay-task.manage')
  @ApiOperation({ summary: 'What a replay task with these filters would put back in the replay backlogs (the first 100, and how many); changes nothing' })
  @ApiMessageResponse(200, 'replay-task-preview')
  @ApiProblemResponse(422, 'Unknown field, bad filter, batch size or rate (fields named)')
  async dryRun(@ValidBody('replay-task-request', { optional: true, description: BODY }) request: ReplayTaskRequest): Promise<ReplayTaskPreview> {
    return replayPreviewView(await this.create.dryRun(request));
  }

  @Post()
  @HttpCode(201)
  @Can('replay-task.manage')
  @UseGuards(IdempotencyKeyGuard)
  @ApiOperation({ summary: 'Start a bulk replay task: the worker puts matching parked transactions back in their backlogs, a batch at a time; audited' })
  @ApiHeader({ name: 'Idempotency-Key', required: true, description: 'Unique per request; a repeat returns the first response.' })
  @ApiMessageResponse(201, 'replay-task')
  @ApiProblemResponse(422, 'Unknown field, bad filter, batch size or rate, or Idempotency-Key missing (fields named)')
  async start(
    @ValidBody('replay-task-request', { optional: true, description: BODY }) request: ReplayTaskRequest,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReplayTask> {
    return (await answerOnce(this.runOnce, reply.request, reply, async () => replayTaskView(await this.create.create(request, principal.subject)))) as ReplayTask;
  }

  @Get()
  @Can('replay-task.read')
  @ApiOperation({ summary: 'The latest 100 replay tasks, newest first, with their progress' })
  @ApiMessageResponse(200, 'replay-task-list')
  async list(): Promise<ReplayTaskList> {
    return { items: (await this.control.latest()).map(replayTaskView) };
  }

  @Get(':id')
  @Can('replay-task.read')
  @ApiOperation({ summary: 'One replay task: status, filters, progress, ETA' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiMessageResponse(200, 'replay-task')
  @ApiProblemResponse(404, 'No such replay task')
  @ApiProblemResponse(422, 'The id is not a UUID')
  async get(@Param('id') id: string): Promise<ReplayTask> {
    return replayTaskView(await this.control.get(taskId(id)));
  }

  @Post(':id/pause')
  @HttpCode(200)
  @Can('replay-task.manage')
  @ApiOperation({ summary: 'Pause a running replay task after its current batch; audited' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiMessageResponse(200, 'replay-task')
  @ApiProblemResponse(404, 'No such replay task')
  @ApiProblemResponse(409, '`replay-task-not-running`')
  async pause(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<ReplayTask> {
    return this.steer(id, 'pause', principal);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @Can('replay-task.manage')
  @ApiOperation({ summary: 'Resume a paused replay task where it stopped; audited' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiMessageResponse(200, 'replay-task')
  @ApiProblemResponse(404, 'No such replay task')
  @ApiProblemResponse(409, '`replay-task-not-paused`')
  async resume(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<ReplayTask> {
    return this.steer(id, 'resume', principal);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Can('replay-task.manage')
  @ApiOperation({ summary: 'Cancel a replay task; what it has not put back stays where it was; audited' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiMessageResponse(200, 'replay-task')
  @ApiProblemResponse(404, 'No such replay task')
  @ApiProblemResponse(409, '`replay-task-not-running` (already completed or cancelled)')
  async cancel(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<ReplayTask> {
    return this.steer(id, 'cancel', principal);
  }

  private async steer(id: string, action: ReplayTaskAction, principal: Principal): Promise<ReplayTask> {
    return replayTaskView(await this.control.apply(taskId(id), action, principal.subject));
  }
}

function taskId(id: string): string {
  if (!isUuid(id)) {
    throw new DomainError('invalid', 'validation-failed', 'The replay task id is not valid.', { errors: [{ field: 'path:id', message: 'must be a replay task id (UUID)' }] });
  }
  return id.toLowerCase();
}
