/**
 * The function app's entry point (package.json `main` after the build): importing a file registers its
 * functions with the Functions host (v4 programming model).
 */
import '../src/http/zodSettings'; // before any schema parses
import './system';
import './partners';
import './purchases';
import './benefits';
import './contacts';
import './audit';
import './activation';
import './serviceRequests';
import './expiry';
import './outbox';
import './membership';
import './operator';
