//! A TCP proxy on loopback that a test can cut and restore: the network between the bot and its
//! database going away while the bot runs, and coming back.
//!
//! Why a proxy and not stopping PostgreSQL: the database is shared by every test running at once,
//! and a proxy cuts one bot's connections only. Cut, every open connection is closed at once and new
//! ones are accepted and closed straight away (what a dead network path or a restarting server looks
//! like to a client); restored, new connections go through again.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub struct TcpCut {
    addr: SocketAddr,
    cut: Arc<AtomicBool>,
    /// Bumped on every cut, so that the connections open at that moment close.
    generation: watch::Sender<u64>,
    task: JoinHandle<()>,
}

impl TcpCut {
    /// Forwards every connection to `target`.
    pub async fn start(target: SocketAddr) -> std::io::Result<TcpCut> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let cut = Arc::new(AtomicBool::new(false));
        let (generation, _) = watch::channel(0_u64);
        let (is_cut, sender) = (cut.clone(), generation.clone());
        let task = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if is_cut.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let mut cuts = sender.subscribe();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(target).await else { return };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cuts.changed() => {}
                    }
                });
            }
        });
        Ok(TcpCut { addr, cut, generation, task })
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Closes every open connection and refuses new ones until [`TcpCut::restore`].
    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        self.generation.send_modify(|generation| *generation += 1);
    }

    pub fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

impl Drop for TcpCut {
    fn drop(&mut self) {
        self.cut();
        self.task.abort();
    }
}
