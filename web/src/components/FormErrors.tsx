// A form's refusal: the API's field errors go beside their fields (`fields`), anything else in one banner.
import { ApiError } from '../api/client';
import { ErrorBanner } from './ErrorBanner';

export const formErrors = (error: unknown) => {
  const fields = error instanceof ApiError ? error.fieldErrors() : {};
  return { fields, banner: Object.keys(fields).length > 0 ? null : error };
};

export const FormBanner = ({ error }: { error: unknown }) => <ErrorBanner error={formErrors(error).banner} />;
