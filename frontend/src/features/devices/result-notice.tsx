import { FocusHere } from '@/features/shell/focus-here';
import { Notice } from '@/features/shell/notice';

/**
 * The outcome of a panel's server action, inside the panel and focused: the page is rendered anew
 * after the action, so focus would otherwise fall back to <body>.
 */
export function ResultNotice({ id, success, title }: { id: string; success: boolean; title: string }) {
  return (
    <FocusHere id={id}>
      <Notice tone={success ? 'success' : 'error'} title={title} />
    </FocusHere>
  );
}
