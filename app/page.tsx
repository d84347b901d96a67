export default function Home() {
  return (
    <main className="mx-auto max-w-2xl p-8">
      <h1 className="text-2xl font-semibold">flatmachines-hub</h1>
      <p className="mt-2 text-slate-600">
        The hub is running. Its HTTP API is at <code>/api/v1</code>; see the README for the routes.
      </p>
    </main>
  );
}
