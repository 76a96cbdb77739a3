export interface GraphqlResponse<T = Record<string, any>> {
  status: number;
  data: T | null | undefined;
  errors?: Array<{ message: string; extensions?: Record<string, any> }>;
}

/** Sends one GraphQL operation over real HTTP. */
export async function gql<T = Record<string, any>>(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  headers: Record<string, string> = {},
): Promise<GraphqlResponse<T>> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T | null; errors?: GraphqlResponse<T>['errors'] };
  return { status: response.status, data: body.data, errors: body.errors };
}

export const ops = {
  captcha: 'mutation ($username: String) { requestCaptcha(username: $username) { captchaKey expiresAt imageDataUrl } }',
  register:
    'mutation ($input: RegisterInput!) { register(input: $input) { accessToken tokenType expiresIn expiresAt user { id name username status role invitationCode createdAt } } }',
  login:
    'mutation ($input: LoginInput!) { login(input: $input) { accessToken tokenType expiresIn expiresAt user { id username } } }',
  me: '{ me { id name username email phone status role invitationCode createdAt updatedAt } }',
  refresh: 'mutation { refresh { accessToken tokenType expiresIn expiresAt user { id } } }',
  logout: 'mutation { logout }',
  logoutAll: 'mutation { logoutAll }',
  responseCodes: '{ responseCodes { code message } }',
  createInvitationCodes:
    'mutation ($count: Int! = 1, $uses: Int! = 1, $expiresIn: String) { createInvitationCodes(count: $count, uses: $uses, expiresIn: $expiresIn) { id code status usageLimit usageTimes validUntil creatorId createdAt } }',
  invitationCodes: '{ invitationCodes { id code status usageLimit usageTimes validUntil creatorId createdAt } }',
  revokeInvitationCode: 'mutation ($code: String!) { revokeInvitationCode(code: $code) }',
  sessions: '{ sessions { id current createdAt lastUsedAt expiresAt ip userAgent } }',
  revokeSession: 'mutation ($id: ID!) { revokeSession(id: $id) }',
  revokeOtherSessions: 'mutation { revokeOtherSessions }',
  changePassword:
    'mutation ($input: ChangePasswordInput!) { changePassword(input: $input) { accessToken expiresIn user { id } } }',
  resetPassword: 'mutation ($input: ResetPasswordInput!) { resetPassword(input: $input) }',
  myActivity:
    'query ($first: Int) { myActivity(first: $first) { id at type userId username sessionId ip userAgent detail } }',
  users:
    'query ($search: String, $status: Int, $role: String, $first: Int, $after: String) { users(search: $search, status: $status, role: $role, first: $first, after: $after) { edges { cursor node { id username name status role createdAt sessionCount lastSignInAt } } pageInfo { hasNextPage endCursor } } }',
  user: 'query ($id: ID!) { user(id: $id) { id username name status role createdAt sessionCount lastSignInAt } }',
  setUserStatus:
    'mutation ($id: ID!, $status: Int!) { setUserStatus(id: $id, status: $status) { id status sessionCount } }',
  setUserRole: 'mutation ($id: ID!, $role: String!) { setUserRole(id: $id, role: $role) { id role } }',
  revokeUserSessions: 'mutation ($id: ID!) { revokeUserSessions(id: $id) }',
  issuePasswordReset: 'mutation ($userId: ID!) { issuePasswordReset(userId: $userId) { code expiresAt } }',
  auditEvents:
    'query ($userId: ID, $type: String, $since: DateTimeISO, $first: Int, $after: String) { auditEvents(userId: $userId, type: $type, since: $since, first: $first, after: $after) { edges { cursor node { id at type userId username sessionId ip userAgent detail } } pageInfo { hasNextPage endCursor } } }',
};
