//! The background-task bridge: a future runs on the app's tokio runtime, the UI polls its
//! handle once per frame, and the future asks for a repaint when it is done. Nothing here
//! blocks a frame.

use std::future::Future;

use tokio::sync::oneshot;

/// A value being computed in the background.
#[derive(Debug, Default)]
pub enum Task<T> {
    /// Nothing requested.
    #[default]
    Idle,
    /// Running; the receiver gets the value.
    Running(oneshot::Receiver<T>),
    /// Finished with this value.
    Done(T),
}

impl<T: Send + 'static> Task<T> {
    /// Starts `future` on `runtime`; when it finishes, `ctx` is asked to repaint.
    pub fn spawn(
        runtime: &tokio::runtime::Handle,
        ctx: &egui::Context,
        future: impl Future<Output = T> + Send + 'static,
    ) -> Self {
        let (sender, receiver) = oneshot::channel();
        let ctx = ctx.clone();
        runtime.spawn(async move {
            let value = future.await;
            // The receiver is gone when the UI dropped the task (step left, app closed).
            let _ = sender.send(value);
            ctx.request_repaint();
        });
        Self::Running(receiver)
    }

    /// Checks once for a result; call every frame.
    pub fn poll(&mut self) {
        if let Self::Running(receiver) = self {
            match receiver.try_recv() {
                Ok(value) => *self = Self::Done(value),
                Err(oneshot::error::TryRecvError::Empty) => {}
                // The task panicked or was cancelled: back to idle so the admin can retry.
                Err(oneshot::error::TryRecvError::Closed) => *self = Self::Idle,
            }
        }
    }

    /// True while running.
    pub fn is_running(&self) -> bool {
        matches!(self, Self::Running(_))
    }

    /// The finished value, if any.
    pub fn done(&self) -> Option<&T> {
        match self {
            Self::Done(value) => Some(value),
            _ => None,
        }
    }

    /// Takes the finished value out, leaving the task idle.
    pub fn take(&mut self) -> Option<T> {
        match std::mem::take(self) {
            Self::Done(value) => Some(value),
            other => {
                *self = other;
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[expect(
        clippy::disallowed_methods,
        reason = "a test thread may sleep while it waits"
    )]
    fn a_spawned_task_is_polled_to_done() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let ctx = egui::Context::default();
        let mut task = Task::spawn(runtime.handle(), &ctx, async { 41 + 1 });
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while task.is_running() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(5));
            task.poll();
        }
        assert_eq!(task.done(), Some(&42));
        assert_eq!(task.take(), Some(42));
        assert!(matches!(task, Task::Idle));
    }
}
