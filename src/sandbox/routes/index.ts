/** Every REST route the sandbox serves, in one router. */
import { Router } from '../http/router.ts';
import { pageRoutes } from './pages.ts';
import { blogpostRoutes } from './blogposts.ts';
import { whiteboardRoutes } from './whiteboards.ts';
import { propertiesRoutes } from './properties.ts';
import { spaceRoutes } from './spaces.ts';
import { labelRoutes } from './labels.ts';
import { v1ContentRoutes } from './v1-content.ts';
import { v1SpaceRoutes } from './v1-spaces.ts';
import { v1UserRoutes } from './v1-users.ts';
import { v1SearchRoutes } from './v1-search.ts';

/** A router with all v2 and v1 routes registered. */
export function buildRouter(): Router {
  const router = new Router();
  // Property routes go first: their paths are longer forms of the content routes' paths.
  propertiesRoutes(router);
  pageRoutes(router);
  blogpostRoutes(router);
  whiteboardRoutes(router);
  spaceRoutes(router);
  labelRoutes(router);
  v1ContentRoutes(router);
  v1SpaceRoutes(router);
  v1UserRoutes(router);
  v1SearchRoutes(router);
  return router;
}
