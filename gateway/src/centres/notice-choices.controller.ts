import { Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { NoticeChoices } from '../../../contracts/src/message.types';
import { CentreNoticeChoices } from '../../../core/centres/use-cases/centre-notice-choices';
import { authorize } from '../../../core/authorization';
import { Can, CurrentPrincipal, type Principal } from '../auth';
import { ApiMessageResponse } from '../docs/message-schemas';
import { ApiProblemResponse } from '../docs/problem.schema';
import { ValidBody } from '../http/valid-body';

@ApiTags('centres')
@ApiBearerAuth()
@Controller('v1/centres/:code/notice-choices')
export class NoticeChoicesController {
  constructor(private readonly choices: CentreNoticeChoices) {}

  @Get()
  @Can('centre.notices.read')
  @ApiOperation({ summary: "The centre's optional citizen SMS: the hour-before reminder, the call-ahead SMS" })
  @ApiParam({ name: 'code', example: 'NRB-GPO' })
  @ApiProblemResponse(404, 'No such centre')
  @ApiMessageResponse(200, 'notice-choices')
  get(@Param('code') code: string, @CurrentPrincipal() principal: Principal): Promise<NoticeChoices> {
    authorize(principal, 'centre.notices.read', { centre: code });
    return this.choices.get(code);
  }

  @Put()
  @Can('centre.notices.write')
  @ApiOperation({ summary: "Turns the centre's optional citizen SMS on or off (audited)" })
  @ApiParam({ name: 'code', example: 'NRB-GPO' })
  @ApiProblemResponse(404, 'No such centre')
  @ApiProblemResponse(422, 'Not valid (fields named)')
  @ApiMessageResponse(200, 'notice-choices')
  set(@Param('code') code: string, @ValidBody('notice-choices') body: NoticeChoices, @CurrentPrincipal() principal: Principal): Promise<NoticeChoices> {
    authorize(principal, 'centre.notices.write', { centre: code });
    return this.choices.set(code, body, principal.subject);
  }
}
