/** Who may do what, decided in one place (DESIGN.md, Identity; README, Authorization). */
export { ROLES, isRole, type Role } from './roles';
export { POLICY, ACTIONS, BINDINGS, isAction, type Action, type ActionPolicy, type Dimension, type JobRole, type Reach } from './policy';
export { decide, authorize, within, rolesFor, officerOf, type Actor, type Scope, type ResourceFacts, type Decision } from './decide';
