//! Bookmark pagination as a stream. It stops when the bookmark is missing, empty or one
//! already seen, so a server that loops cannot make us loop.

use std::collections::HashSet;
use std::future::Future;

use futures::{Stream, StreamExt, TryStreamExt, stream};
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// The largest page Pinterest serves.
pub const MAX_PAGE_SIZE: u32 = 250;

/// One page of a list: `{items, bookmark}`.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// The cursor of the next page; missing, `null` or empty on the last page.
    #[serde(default)]
    pub bookmark: Option<String>,
}

struct State<F> {
    fetch: F,
    next: Option<Option<String>>,
    seen: HashSet<String>,
}

/// Turns a page fetcher into a stream of items. `fetch(None)` gets the first page,
/// `fetch(Some(bookmark))` the following ones. An error ends the stream after it is yielded.
pub fn paginate_with<T, F, Fut>(fetch: F) -> impl Stream<Item = Result<T>> + Send + 'static
where
    T: Send + 'static,
    F: FnMut(Option<String>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    let state = State {
        fetch,
        next: Some(None),
        seen: HashSet::new(),
    };
    stream::try_unfold(state, |mut state| async move {
        let Some(bookmark) = state.next.take() else {
            return Ok(None);
        };
        let page = (state.fetch)(bookmark).await?;
        state.next = match page.bookmark {
            Some(b) if !b.is_empty() && state.seen.insert(b.clone()) => Some(Some(b)),
            Some(b) if !b.is_empty() => {
                tracing::warn!("Pinterest repeated a bookmark; stopping the listing");
                None
            }
            _ => None,
        };
        Ok(Some((page.items, state)))
    })
    .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
    .try_flatten()
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    type Asked = Arc<Mutex<Vec<Option<String>>>>;

    fn pages(script: Vec<Page<u32>>) -> (impl Stream<Item = Result<u32>> + Send, Asked) {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let log = asked.clone();
        let mut script = script.into_iter();
        let s = paginate_with(move |b| {
            log.lock().unwrap().push(b);
            let page = script.next().unwrap_or(Page {
                items: vec![999],
                bookmark: None,
            });
            async move { Ok(page) }
        });
        (s, asked)
    }

    fn page(items: Vec<u32>, bookmark: Option<&str>) -> Page<u32> {
        Page {
            items,
            bookmark: bookmark.map(str::to_owned),
        }
    }

    #[tokio::test]
    async fn follows_bookmarks_until_one_is_missing() {
        let (s, asked) = pages(vec![
            page(vec![1, 2], Some("a")),
            page(vec![3], Some("b")),
            page(vec![4], None),
        ]);
        let items: Vec<u32> = s.try_collect().await.unwrap();
        assert_eq!(items, vec![1, 2, 3, 4]);
        assert_eq!(
            *asked.lock().unwrap(),
            vec![None, Some("a".into()), Some("b".into())]
        );
    }

    #[tokio::test]
    async fn an_empty_bookmark_ends_the_listing() {
        let (s, asked) = pages(vec![page(vec![1], Some(""))]);
        let items: Vec<u32> = s.try_collect().await.unwrap();
        assert_eq!(items, vec![1]);
        assert_eq!(asked.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_repeated_bookmark_ends_the_listing() {
        let (s, asked) = pages(vec![
            page(vec![1], Some("a")),
            page(vec![2], Some("b")),
            page(vec![3], Some("a")),
        ]);
        let items: Vec<u32> = s.try_collect().await.unwrap();
        assert_eq!(items, vec![1, 2, 3]);
        assert_eq!(asked.lock().unwrap().len(), 3);
    }
}
